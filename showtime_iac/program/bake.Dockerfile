# The image an environment runs: the PR's Superset image (`docker build --target ci`) with its
# metadata database migrated, initialised and holding the examples, made once here instead of
# on every task start (docs/boot.md). Build context: this directory (showtime_iac/program).
#
#   docker build --file showtime_iac/program/bake.Dockerfile \
#     --build-arg BASE=showtime:sti-pr-1234-abc1234 --tag showtime:sti-pr-1234-abc1234 \
#     showtime_iac/program
#
# The bake runs as the image's own user, with its own Python, into its own $SUPERSET_HOME,
# with a throwaway secret key (each task re-encrypts under its environment's key). It needs no
# network for Superset >= 6 (the examples are Parquet files in Superset's source tree).
# BAKE_EXAMPLES=no bakes without the examples (a task with examples on then loads them).
ARG BASE
FROM ${BASE}
ARG BAKE_EXAMPLES=yes
COPY superset_boot.py /app/showtime/superset_boot.py
RUN SHOWTIME_BAKE_EXAMPLES="${BAKE_EXAMPLES}" python /app/showtime/superset_boot.py bake
LABEL org.showtime-iac.baked="superset_boot.py bake"
