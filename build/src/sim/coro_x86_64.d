build/src/sim/coro_x86_64.o: src/sim/coro_x86_64.S
