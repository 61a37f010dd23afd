build/src/classic/aba_stack.o: src/classic/aba_stack.c \
 src/classic/classic.h src/sim/exec.h src/sim/coro.h src/sim/site.h \
 src/sim/sim.h
src/classic/classic.h:
src/sim/exec.h:
src/sim/coro.h:
src/sim/site.h:
src/sim/sim.h:
