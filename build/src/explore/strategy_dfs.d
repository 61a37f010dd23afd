build/src/explore/strategy_dfs.o: src/explore/strategy_dfs.c \
 src/explore/strategy.h src/sim/exec.h src/sim/coro.h src/sim/site.h
src/explore/strategy.h:
src/sim/exec.h:
src/sim/coro.h:
src/sim/site.h:
