#!/usr/bin/env python3
"""Reads Avro records from a Tollgate topic with Confluent's own Python client and prints them as JSON lines.

Usage: confluent_read.py BOOTSTRAP REGISTRY_URL TOPIC COUNT

Uses confluent-kafka's own Avro MessageSerializer (the one behind its AvroConsumer): it parses Confluent's wire
format, fetches the writer schema by id from the registry's REST API with CachedSchemaRegistryClient and decodes
with Apache Avro's Python library -- none of Tollgate's code. Keys are plain UTF-8 strings, as on every Tollgate
topic, so they are read as such (AvroConsumer would insist on Avro keys). Exits 0 after
COUNT records, 2 on a timeout.
"""
import json
import sys
import time
import uuid

from confluent_kafka import Consumer
from confluent_kafka.avro.cached_schema_registry_client import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer


def main():
    bootstrap, registry, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    serializer = MessageSerializer(CachedSchemaRegistryClient({"url": registry}))
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "confluent-python-" + uuid.uuid4().hex,
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",
    })
    consumer.subscribe([topic])
    seen = 0
    deadline = time.time() + 60
    while seen < count and time.time() < deadline:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if msg.error():
            print("error: %s" % msg.error(), file=sys.stderr)
            continue
        key = msg.key().decode("utf-8") if msg.key() is not None else None
        value = serializer.decode_message(msg.value())
        print(json.dumps({"key": key, "value": value}, default=str, sort_keys=True), flush=True)
        seen += 1
    consumer.close()
    sys.exit(0 if seen >= count else 2)


if __name__ == "__main__":
    main()
