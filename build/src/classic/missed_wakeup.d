build/src/classic/missed_wakeup.o: src/classic/missed_wakeup.c \
 src/classic/classic.h src/sim/exec.h src/sim/coro.h src/sim/site.h \
 src/sim/sim.h
src/classic/classic.h:
src/sim/exec.h:
src/sim/coro.h:
src/sim/site.h:
src/sim/sim.h:
