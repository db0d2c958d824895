#!/usr/bin/python3
"""Interop test: a second, independent client (Python, Debian's python3-grpcio)
drives a real creneaud through the public contract.

Usage: interop_test.py --creneaud PATH --communes PATH --stubs DIR
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

ARGS = None


def load_stubs(path):
    sys.path.insert(0, path)
    global types_pb2, slot_pb2, slot_grpc, orientation_pb2, orientation_grpc
    from creneau.v1 import types_pb2, slot_service_pb2 as slot_pb2
    from creneau.v1 import slot_service_pb2_grpc as slot_grpc
    from creneau.v1 import orientation_service_pb2 as orientation_pb2
    from creneau.v1 import orientation_service_pb2_grpc as orientation_grpc


def rid():
    return str(uuid.uuid4())


class InteropTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import grpc
        cls.grpc = grpc
        cls.tmp = tempfile.TemporaryDirectory()
        port_file = os.path.join(cls.tmp.name, "port")
        cls.log = open(os.path.join(cls.tmp.name, "log"), "w+")
        cls.server = subprocess.Popen(
            [ARGS.creneaud, "--listen=127.0.0.1:0", "--port_file=" + port_file,
             "--http_listen=127.0.0.1:0",
             "--data_dir=" + os.path.join(cls.tmp.name, "data"), "--communes=" + ARGS.communes],
            stdout=cls.log, stderr=cls.log)
        deadline = time.time() + 60
        while time.time() < deadline and not os.path.exists(port_file):
            time.sleep(0.05)
        with open(port_file) as f:
            port = int(f.read().strip())
        cls.channel = grpc.insecure_channel("127.0.0.1:%d" % port)
        cls.slots = slot_grpc.SlotServiceStub(cls.channel)
        cls.orientation = orientation_grpc.OrientationServiceStub(cls.channel)
        # grpc.health.v1.Health/Check, encoded by hand: the package name
        # "grpc" is taken by grpcio itself. An empty request asks about the
        # whole server; the answer {status: SERVING} is the bytes 08 01.
        health = cls.channel.unary_unary("/grpc.health.v1.Health/Check",
                                         request_serializer=lambda b: b,
                                         response_deserializer=lambda b: b)
        while time.time() < deadline:
            try:
                if health(b"", timeout=2) == b"\x08\x01":
                    break
            except grpc.RpcError:
                pass
            time.sleep(0.05)
        else:
            raise RuntimeError("creneaud did not start")
        professionals = [
            types_pb2.Professional(id="py-gp-royan", profession=types_pb2.PROFESSION_GENERAL_PRACTITIONER,
                                   location=types_pb2.LatLng(latitude=45.6248, longitude=-1.0281)),
            types_pb2.Professional(id="py-gp-saujon", profession=types_pb2.PROFESSION_GENERAL_PRACTITIONER,
                                   location=types_pb2.LatLng(latitude=45.6728, longitude=-0.9270)),
        ]
        cls.slots.UpsertProfessionals(
            slot_pb2.UpsertProfessionalsRequest(request_id=rid(), professionals=professionals), timeout=10)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.server.send_signal(signal.SIGTERM)
        code = cls.server.wait(timeout=30)
        cls.log.seek(0)
        if code != 0:
            print(cls.log.read())
        cls.tmp.cleanup()
        assert code == 0, "creneaud exited with %d on SIGTERM" % code

    def slot(self, slot_id, professional, hours):
        start = int(time.time()) + int(hours * 3600)
        s = types_pb2.Slot(id=slot_id, professional_id=professional,
                           modality=types_pb2.MODALITY_IN_OFFICE)
        s.start_time.seconds = start - start % 60
        s.duration.seconds = 900
        return s

    def test_search_hold_confirm_get(self):
        self.slots.PublishSlots(slot_pb2.PublishSlotsRequest(
            request_id=rid(), slots=[self.slot("py-1", "py-gp-saujon", 2),
                                     self.slot("py-2", "py-gp-royan", 2)]), timeout=10)
        found = self.orientation.SearchSlots(orientation_pb2.SearchSlotsRequest(
            commune_code="17306", profession=types_pb2.PROFESSION_GENERAL_PRACTITIONER,
            radius_m=20000), timeout=10)
        ids = [m.slot.id for m in found.matches]
        self.assertEqual(ids[:2], ["py-2", "py-1"], "same start: the nearer first")
        self.assertLess(found.matches[0].distance_m, found.matches[1].distance_m)
        self.assertTrue(found.matches[0].reason_text)
        self.assertIn("Royan", found.explanation)

        hold = self.orientation.HoldSlot(orientation_pb2.HoldSlotRequest(
            request_id=rid(), slot_id="py-2"), timeout=10).hold
        self.assertEqual(len(hold.token), 32)
        booking = self.orientation.ConfirmBooking(orientation_pb2.ConfirmBookingRequest(
            request_id=rid(), slot_id="py-2", hold_token=hold.token, patient_ref="py-patient"),
            timeout=10).booking
        self.assertEqual(booking.status, types_pb2.BOOKING_STATUS_BOOKED)
        got = self.orientation.GetBooking(orientation_pb2.GetBookingRequest(booking_id=booking.id),
                                          timeout=10).booking
        self.assertEqual(got.slot_id, "py-2")
        self.assertEqual(got.patient_ref, "py-patient")
        with self.assertRaises(self.grpc.RpcError) as second:
            self.orientation.ConfirmBooking(orientation_pb2.ConfirmBookingRequest(
                request_id=rid(), slot_id="py-2", hold_token=hold.token, patient_ref="py-patient"),
                timeout=10)
        self.assertEqual(second.exception.code(), self.grpc.StatusCode.FAILED_PRECONDITION)

    def test_errors_name_the_field(self):
        bad = self.slot("py-bad", "py-gp-royan", 2)
        bad.duration.seconds = -60
        with self.assertRaises(self.grpc.RpcError) as error:
            self.slots.PublishSlots(slot_pb2.PublishSlotsRequest(request_id=rid(), slots=[bad]),
                                    timeout=10)
        self.assertEqual(error.exception.code(), self.grpc.StatusCode.INVALID_ARGUMENT)
        self.assertTrue(error.exception.details().startswith("slots[0].duration"))
        many = [self.slot("py-many-%d" % i, "py-gp-royan", 3) for i in range(1001)]
        with self.assertRaises(self.grpc.RpcError) as error:
            self.slots.PublishSlots(slot_pb2.PublishSlotsRequest(request_id=rid(), slots=many),
                                    timeout=10)
        self.assertIn("at most 1000", error.exception.details())
        with self.assertRaises(self.grpc.RpcError) as error:
            self.orientation.SearchSlots(orientation_pb2.SearchSlotsRequest(
                commune_code="17306", profession=types_pb2.PROFESSION_GENERAL_PRACTITIONER,
                radius_m=10_000_000), timeout=10)
        self.assertEqual(error.exception.code(), self.grpc.StatusCode.INVALID_ARGUMENT)
        self.assertTrue(error.exception.details().startswith("radius_m"))

    def test_retry_returns_the_first_answer(self):
        self.slots.PublishSlots(slot_pb2.PublishSlotsRequest(
            request_id=rid(), slots=[self.slot("py-retry", "py-gp-royan", 4)]), timeout=10)
        request = orientation_pb2.HoldSlotRequest(request_id=rid(), slot_id="py-retry")
        first = self.orientation.HoldSlot(request, timeout=10).hold
        again = self.orientation.HoldSlot(request, timeout=10).hold
        self.assertEqual(first.token, again.token)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--creneaud", required=True)
    parser.add_argument("--communes", required=True)
    parser.add_argument("--stubs", required=True)
    ARGS, rest = parser.parse_known_args()
    load_stubs(ARGS.stubs)
    unittest.main(argv=[sys.argv[0], "-v"] + rest)
