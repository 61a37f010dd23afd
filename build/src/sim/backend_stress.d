build/src/sim/backend_stress.o: src/sim/backend_stress.c \
 src/sim/internal.h src/sim/exec.h src/sim/coro.h src/sim/site.h \
 src/sim/sim.h
src/sim/internal.h:
src/sim/exec.h:
src/sim/coro.h:
src/sim/site.h:
src/sim/sim.h:
