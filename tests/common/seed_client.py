# The seed tutorial's python-diameter client: one SMS CCR-Event, prints the Result-Code.
# Arguments: HOST PORT PEER_IDENTITY REALM [EVENT_TIMESTAMP as YYYY-MM-DDTHH:MM:SS]
import datetime, logging, os, sys
from diameter.message.commands.credit_control import CreditControlRequest
from diameter.message.commands.credit_control import RequestedServiceUnit
from diameter.message.commands.credit_control import ServiceInformation
from diameter.message.commands.credit_control import SmsInformation
from diameter.message.commands.credit_control import RecipientInfo
from diameter.message.commands.credit_control import RecipientAddress
from diameter.message.constants import *
from diameter.node import Node
from diameter.node.application import SimpleThreadingApplication

host, port, peer, realm = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
timestamp = (datetime.datetime.fromisoformat(sys.argv[5]) if len(sys.argv) > 5
             else datetime.datetime.now())
logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s")
node = Node("smsgw.gy", realm, vendor_ids=[VENDOR_ETSI, VENDOR_TGPP, VENDOR_TGPP2])
ocs_cfg = node.add_peer(f"aaa://{peer}:{port}", realm, ip_addresses=[host], is_persistent=True)
# The tutorial starts the node before adding the application; python-diameter then races
# its CER against add_application and may advertise no application at all, which an
# RFC 6733 server answers with 5010. Adding the application first removes the race.
client = SimpleThreadingApplication(APP_DIAMETER_CREDIT_CONTROL_APPLICATION, is_auth_application=True)
node.add_application(client, [ocs_cfg])
node.start()

ccr = CreditControlRequest()
ccr.session_id = client.node.session_generator.next_id()
ccr.origin_host = client.node.origin_host.encode()
ccr.origin_realm = client.node.realm_name.encode()
ccr.destination_realm = client.node.realm_name.encode()
ccr.auth_application_id = client.application_id
ccr.service_context_id = "32274@3gpp.org"
ccr.cc_request_type = E_CC_REQUEST_TYPE_EVENT_REQUEST
ccr.cc_request_number = 1
ccr.user_name = "diameter"
ccr.event_timestamp = timestamp
ccr.requested_action = E_REQUESTED_ACTION_DIRECT_DEBITING
ccr.add_subscription_id(
    subscription_id_type=E_SUBSCRIPTION_ID_TYPE_END_USER_E164,
    subscription_id_data="41780000001")
ccr.add_multiple_services_credit_control(
    requested_service_unit=RequestedServiceUnit(cc_service_specific_units=1),
    service_identifier=1)
ccr.service_information = ServiceInformation(
    sms_information=SmsInformation(
        data_coding_scheme=8,
        sm_message_type=E_SM_MESSAGE_TYPE_SUBMISSION,
        recipient_info=[RecipientInfo(
            recipient_address=[RecipientAddress(
                address_type=E_ADDRESS_TYPE_MSISDN,
                address_data="41780000002"
            )]
        )]
    )
)

try:
    client.wait_for_ready(timeout=20)
    cca = client.send_request(ccr, timeout=5)
    print(cca.result_code, flush=True)
    node.stop(wait_timeout=5)
except Exception as e:
    print(f"ERROR {e!r}", flush=True)
finally:
    # python-diameter's worker threads are not daemons: a failure would hang here.
    os._exit(0)
