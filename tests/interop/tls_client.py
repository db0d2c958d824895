#!/usr/bin/python3
"""A Python client (Debian's python3-grpcio) over TLS with a bearer token:
searches near Royan and reads a territory. Prints "ok <matches>" and exits 0,
or prints the error and exits 1. Used by tests/tls_test.cc.

Usage: tls_client.py --stubs DIR --address HOST:PORT --ca PEM --token TOKEN
"""
import argparse
import sys


def main():
    parser = argparse.ArgumentParser()
    for flag in ("--stubs", "--address", "--ca", "--token"):
        parser.add_argument(flag, required=True)
    args = parser.parse_args()
    sys.path.insert(0, args.stubs)
    import grpc
    from creneau.v1 import orientation_service_pb2 as orientation_pb2
    from creneau.v1 import orientation_service_pb2_grpc as orientation_grpc
    from creneau.v1 import territory_service_pb2 as territory_pb2
    from creneau.v1 import territory_service_pb2_grpc as territory_grpc
    from creneau.v1 import types_pb2

    with open(args.ca, "rb") as f:
        credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
    channel = grpc.secure_channel(args.address, credentials)
    metadata = (("authorization", "Bearer " + args.token),)
    try:
        found = orientation_grpc.OrientationServiceStub(channel).SearchSlots(
            orientation_pb2.SearchSlotsRequest(
                commune_code="17306",
                profession=types_pb2.PROFESSION_GENERAL_PRACTITIONER,
                limit=10),
            metadata=metadata, timeout=10)
        territory = territory_grpc.TerritoryServiceStub(channel).GetTerritory(
            territory_pb2.GetTerritoryRequest(
                territory_id="cpts-royan-atlantique"),
            metadata=metadata, timeout=10)
    except grpc.RpcError as error:
        print("error %s: %s" % (error.code(), error.details()))
        return 1
    if len(territory.territory.commune_codes) != 33:
        print("error: %d communes" % len(territory.territory.commune_codes))
        return 1
    print("ok %d" % len(found.matches))
    return 0


if __name__ == "__main__":
    sys.exit(main())
