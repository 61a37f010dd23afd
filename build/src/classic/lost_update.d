build/src/classic/lost_update.o: src/classic/lost_update.c \
 src/classic/classic.h src/sim/exec.h src/sim/coro.h src/sim/site.h \
 src/sim/sim.h
src/classic/classic.h:
src/sim/exec.h:
src/sim/coro.h:
src/sim/site.h:
src/sim/sim.h:
