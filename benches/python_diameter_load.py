"""The peer side of `diameter bench --target` against `ocs_server`: a python-diameter 0.9.0
client sending CCR-Events to a python-diameter 0.9.0 OCS answering 2001, both on loopback.
Prints answers per second.

    pip install python-diameter==0.9.0
    python3 benches/python_diameter_load.py [SECONDS] [THREADS]

The server (tests/common/ocs_server.py, the interop tests' python OCS) runs in a child
process: python-diameter serves one thread per request; the client keeps THREADS requests
in flight, 16 by default.
"""
import logging
import os
import subprocess
import sys
import threading
import time

from diameter.message.commands.credit_control import CreditControlRequest
from diameter.message.constants import *
from diameter.node import Node
from diameter.node.application import SimpleThreadingApplication

logging.basicConfig(level=logging.ERROR)
REALM = "testrealm.local"
OCS_SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "common",
                          "ocs_server.py")


def load(port, seconds, threads):
    node = Node("smsgw.gy", REALM)
    peer = node.add_peer(f"aaa://ocs.gy:{port}", REALM, ip_addresses=["127.0.0.1"],
                         is_persistent=True)
    client = SimpleThreadingApplication(APP_DIAMETER_CREDIT_CONTROL_APPLICATION,
                                        is_auth_application=True)
    node.add_application(client, [peer])
    node.start()
    client.wait_for_ready(timeout=20)
    counts = [0] * threads
    stop = time.time() + seconds

    def run(i):
        while time.time() < stop:
            ccr = CreditControlRequest()
            ccr.session_id = client.node.session_generator.next_id()
            ccr.origin_host = client.node.origin_host.encode()
            ccr.origin_realm = client.node.realm_name.encode()
            ccr.destination_realm = REALM.encode()
            ccr.auth_application_id = client.application_id
            ccr.service_context_id = "32274@3gpp.org"
            ccr.cc_request_type = E_CC_REQUEST_TYPE_EVENT_REQUEST
            ccr.cc_request_number = 1
            ccr.add_subscription_id(subscription_id_type=E_SUBSCRIPTION_ID_TYPE_END_USER_E164,
                                    subscription_id_data="41780000001")
            if client.send_request(ccr, timeout=5).result_code == 2001:
                counts[i] += 1

    start = time.time()
    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.time() - start
    print(f"python-diameter: {sum(counts)} answers in {elapsed:.1f} s = "
          f"{sum(counts) / elapsed:.0f}/s", flush=True)


if __name__ == "__main__":
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 8
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    port = 39000 + os.getpid() % 1000
    server = subprocess.Popen([sys.executable, OCS_SERVER, str(port), "smsgw.gy"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == "READY"
    try:
        load(port, seconds, threads)
    finally:
        server.stdin.close()
        server.wait(timeout=10)
    os._exit(0)
