build/src/sim/prim_lock.o: src/sim/prim_lock.c src/sim/internal.h \
 src/sim/exec.h src/sim/coro.h src/sim/site.h src/sim/lockdep.h \
 src/sim/sim.h
src/sim/internal.h:
src/sim/exec.h:
src/sim/coro.h:
src/sim/site.h:
src/sim/lockdep.h:
src/sim/sim.h:
