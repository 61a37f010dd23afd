build/src/sim/exec.o: src/sim/exec.c src/sim/exec.h src/sim/coro.h \
 src/sim/site.h src/sim/internal.h src/sim/lockdep.h src/sim/sim.h
src/sim/exec.h:
src/sim/coro.h:
src/sim/site.h:
src/sim/internal.h:
src/sim/lockdep.h:
src/sim/sim.h:
