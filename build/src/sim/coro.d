build/src/sim/coro.o: src/sim/coro.c src/sim/coro.h
src/sim/coro.h:
