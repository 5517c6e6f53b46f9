#!/bin/bash
# Starts one Apache Kafka node (broker + controller, KRaft) from environment variables, formatting its storage
# on first start. With TOLLGATE_SECURE=true: TLS on every listener (SASL_SSL; the node's certificate and key are
# /etc/tollgate/tls/<host>.pem, the CA /etc/tollgate/tls/ca.crt, both PEM, made by deploy/tls/make-certs.sh),
# SASL/SCRAM-SHA-512 for clients and brokers, SASL/PLAIN between controllers, the StandardAuthorizer, deny when no
# ACL matches, and one bootstrap super user (admin) created at format time. Tollgate's users and ACLs are then
# applied by the acls service (`tollgate acls apply`).
set -euo pipefail

: "${NODE_ID:?}" "${CLUSTER_ID:?}" "${VOTERS:?}" "${ADVERTISED_HOST:?}"
RF="${REPLICATION_FACTOR:-1}"
MIN_ISR="${MIN_INSYNC_REPLICAS:-1}"
SECURE="${TOLLGATE_SECURE:-false}"
CFG=/tmp/server.properties
DATA=/var/lib/kafka/data
TLS_DIR="${TLS_DIR:-/etc/tollgate/tls}"

cat > "$CFG" <<PROPS
node.id=${NODE_ID}
process.roles=broker,controller
controller.quorum.voters=${VOTERS}
controller.listener.names=CONTROLLER
inter.broker.listener.name=INTERNAL
listeners=INTERNAL://:9092,CONTROLLER://:9093
advertised.listeners=INTERNAL://${ADVERTISED_HOST}:9092
log.dirs=${DATA}
num.partitions=6
default.replication.factor=${RF}
min.insync.replicas=${MIN_ISR}
offsets.topic.replication.factor=${RF}
transaction.state.log.replication.factor=${RF}
transaction.state.log.min.isr=${MIN_ISR}
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS

FORMAT_EXTRA=()
if [ "$SECURE" = "true" ]; then
  : "${ADMIN_PASSWORD:?ADMIN_PASSWORD is required when TOLLGATE_SECURE=true}"
  for file in "${TLS_DIR}/${ADVERTISED_HOST}.pem" "${TLS_DIR}/ca.crt"; do
    [ -r "$file" ] || { echo "start.sh: $file is missing: run deploy/tls/make-certs.sh (the certs service)" >&2; exit 1; }
  done
  cat >> "$CFG" <<PROPS
listener.security.protocol.map=INTERNAL:SASL_SSL,CONTROLLER:SASL_SSL
ssl.keystore.type=PEM
ssl.keystore.location=${TLS_DIR}/${ADVERTISED_HOST}.pem
ssl.truststore.type=PEM
ssl.truststore.location=${TLS_DIR}/ca.crt
ssl.endpoint.identification.algorithm=https
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.internal.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${ADMIN_PASSWORD}";
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${ADMIN_PASSWORD}" user_admin="${ADMIN_PASSWORD}";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin
PROPS
  FORMAT_EXTRA=(--add-scram "SCRAM-SHA-512=[name=admin,password=${ADMIN_PASSWORD}]")
else
  echo "listener.security.protocol.map=INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT" >> "$CFG"
fi

if [ ! -f "${DATA}/meta.properties" ]; then
  /opt/kafka/bin/kafka-storage.sh format --cluster-id "$CLUSTER_ID" --config "$CFG" "${FORMAT_EXTRA[@]}"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$CFG"
