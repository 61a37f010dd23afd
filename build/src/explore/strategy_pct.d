build/src/explore/strategy_pct.o: src/explore/strategy_pct.c \
 src/explore/rng.h src/explore/strategy.h src/sim/exec.h src/sim/coro.h \
 src/sim/site.h
src/explore/rng.h:
src/explore/strategy.h:
src/sim/exec.h:
src/sim/coro.h:
src/sim/site.h:
