build/src/explore/token.o: src/explore/token.c src/explore/token.h \
 src/sim/exec.h src/sim/coro.h src/sim/site.h
src/explore/token.h:
src/sim/exec.h:
src/sim/coro.h:
src/sim/site.h:
