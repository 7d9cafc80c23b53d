"""A python-diameter 0.9.0 OCS answering every Credit-Control-Request with 2001.

    python3 tests/common/ocs_server.py PORT CLIENT_HOST [CLIENT_HOST ...]

Listens on 127.0.0.1:PORT as ocs.gy in testrealm.local for the client identities given,
prints READY once started, and runs until its standard input closes. Used by
tests/python_runtime_interop.rs and benches/python_diameter_load.py.
"""
import logging
import os
import sys

from diameter.message.constants import *
from diameter.node import Node
from diameter.node.application import SimpleThreadingApplication

logging.basicConfig(level=logging.ERROR,
                    format="%(asctime)s %(name)s %(levelname)s %(message)s")
REALM = "testrealm.local"
port = int(sys.argv[1])
node = Node("ocs.gy", REALM, ip_addresses=["127.0.0.1"], tcp_port=port)
peers = [node.add_peer(f"aaa://{host}", REALM) for host in sys.argv[2:]]


def handle_request(app, request):
    answer = app.generate_answer(request, result_code=E_RESULT_CODE_DIAMETER_SUCCESS)
    answer.cc_request_type = request.cc_request_type
    answer.cc_request_number = request.cc_request_number
    return answer


app = SimpleThreadingApplication(APP_DIAMETER_CREDIT_CONTROL_APPLICATION,
                                 is_auth_application=True, request_handler=handle_request)
node.add_application(app, peers)
node.start()
print("READY", flush=True)
sys.stdin.read()
node.stop(wait_timeout=2)
os._exit(0)
