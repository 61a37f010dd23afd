build/src/explore/strategy_replay.o: src/explore/strategy_replay.c \
 src/explore/strategy.h src/sim/exec.h src/sim/coro.h src/sim/site.h
src/explore/strategy.h:
src/sim/exec.h:
src/sim/coro.h:
src/sim/site.h:
