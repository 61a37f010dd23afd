build/src/classic/atomicity3.o: src/classic/atomicity3.c \
 src/classic/classic.h src/sim/exec.h src/sim/coro.h src/sim/site.h \
 src/sim/sim.h
src/classic/classic.h:
src/sim/exec.h:
src/sim/coro.h:
src/sim/site.h:
src/sim/sim.h:
