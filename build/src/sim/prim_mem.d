build/src/sim/prim_mem.o: src/sim/prim_mem.c src/sim/internal.h \
 src/sim/exec.h src/sim/coro.h src/sim/site.h src/sim/sim.h
src/sim/internal.h:
src/sim/exec.h:
src/sim/coro.h:
src/sim/site.h:
src/sim/sim.h:
