# syntax=docker/dockerfile:1
# The inventory service as a container image: the jlinked runtime, the service's jars, an AOT cache, nothing else.
#
#   docker build -t inventory .
#   docker run -p 8080:8080 -e INVENTORY_DB_URL=jdbc:postgresql://db:5432/inventory -e INVENTORY_DB_USER=... inventory
#
# Both base images are build arguments, so the image can be built from local copies (container/prepare-base-images.sh
# makes them with debootstrap; container/build-and-smoke.sh builds with buildah and runs the result with podman).
# The build stage needs a JDK 25 with jlink, curl or wget (the Maven wrapper downloads Maven) and Maven Central.
ARG BUILD_IMAGE=eclipse-temurin:25-jdk
ARG RUNTIME_IMAGE=debian:bookworm-slim

# --- build --------------------------------------------------------------------------------------------------------
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# The wrapper and the poms first: the dependencies are resolved into their own layer, which source changes keep.
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY inventory.core/pom.xml inventory.core/
COPY inventory.persistence/pom.xml inventory.persistence/
COPY inventory.web/pom.xml inventory.web/
COPY inventory.app/pom.xml inventory.app/
# (A package run on the poms alone: dependency:go-offline cannot resolve the reactor's own modules.)
RUN ./mvnw -B -q package -DskipTests && rm -rf inventory.*/target
COPY . .
# jlink.sh builds the jars (mvnw package) and target/inventory; the AOT cache is trained below instead (see there).
RUN ./jlink.sh --no-aot \
    && mkdir -p /opt \
    && mv target/inventory /opt/inventory \
    && mkdir -p /opt/embedded \
    && mv /opt/inventory/lib/embedded-postgres-*.jar /opt/embedded/

# The AOT cache (JDK 25 -XX:AOTCache) halves the start-up time, but the JVM uses it only with the module path and
# directory it was trained with: so it is trained here, in /opt/inventory, on exactly the jars the runtime stage
# gets. The training start needs a database; the embedded PostgreSQL's jars, kept out of the image, provide one for
# the few seconds it takes (see container/train-aot.sh).
RUN container/train-aot.sh && du -sh /opt/inventory /opt/inventory/runtime /opt/inventory/lib

# --- runtime ------------------------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}
# A fixed non-root uid/gid, so volumes and Kubernetes' runAsUser can name it.
RUN groupadd --system --gid 10001 inventory \
    && useradd --system --uid 10001 --gid 10001 --home-dir /opt/inventory --no-create-home \
               --shell /usr/sbin/nologin inventory
# Owned by root and read-only for the service: it writes nothing into its image (logs go to standard output).
COPY --from=build /opt/inventory /opt/inventory
USER 10001:10001
WORKDIR /opt/inventory
ENV INVENTORY_PORT=8080
# bin/inventory's defaults (-XX:+UseSerialGC -Xms48m -Xmx256m -Xmn24m, -XX:+ExitOnOutOfMemoryError, the AOT cache;
# jlink.sh explains each) are sized for a 0.5 vCPU / 1 GiB task: about 190 MiB RSS after minutes of load, towards
# 380 MiB over hours as the old generation fills before its first full collection. JAVA_OPTS overrides them.
ENV JAVA_OPTS=""
EXPOSE 8080
# bin/inventory execs the JVM, so the signal reaches it; it drains in-flight requests (at most 10 s) and exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/inventory/bin/inventory"]
