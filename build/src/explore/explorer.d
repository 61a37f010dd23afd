build/src/explore/explorer.o: src/explore/explorer.c \
 src/explore/explorer.h src/explore/strategy.h src/sim/exec.h \
 src/sim/coro.h src/sim/site.h src/explore/token.h
src/explore/explorer.h:
src/explore/strategy.h:
src/sim/exec.h:
src/sim/coro.h:
src/sim/site.h:
src/explore/token.h:
