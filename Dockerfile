# One image for every Tollgate service: `docker run tollgate <command> ...` (see docker-compose.yml).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY events-schema events-schema
COPY embedded-kafka embedded-kafka
COPY policy-engine policy-engine
COPY ledger-model ledger-model
COPY policy-processor policy-processor
COPY tool-gateway tool-gateway
COPY ledger-projector ledger-projector
COPY intake-service intake-service
COPY client client
COPY launcher launcher
COPY bench bench
RUN mvn -B -ntp -q -DskipTests package -pl launcher -am

FROM eclipse-temurin:17-jre
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl openssl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data tollgate \
    && mkdir -p /data && chown tollgate /data
COPY --from=build /src/launcher/target/tollgate.jar /app/tollgate.jar
USER tollgate
WORKDIR /data
ENV JAVA_TOOL_OPTIONS="-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.tollgate.events -XX:MaxRAMPercentage=75"
ENTRYPOINT ["java", "-jar", "/app/tollgate.jar"]
