build/src/sim/lockdep.o: src/sim/lockdep.c src/sim/lockdep.h \
 src/sim/exec.h src/sim/coro.h src/sim/site.h src/sim/internal.h
src/sim/lockdep.h:
src/sim/exec.h:
src/sim/coro.h:
src/sim/site.h:
src/sim/internal.h:
