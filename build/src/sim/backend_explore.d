build/src/sim/backend_explore.o: src/sim/backend_explore.c \
 src/sim/internal.h src/sim/exec.h src/sim/coro.h src/sim/site.h \
 src/sim/lockdep.h src/sim/sim.h
src/sim/internal.h:
src/sim/exec.h:
src/sim/coro.h:
src/sim/site.h:
src/sim/lockdep.h:
src/sim/sim.h:
