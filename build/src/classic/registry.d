build/src/classic/registry.o: src/classic/registry.c \
 src/classic/classic.h src/sim/exec.h src/sim/coro.h src/sim/site.h
src/classic/classic.h:
src/sim/exec.h:
src/sim/coro.h:
src/sim/site.h:
