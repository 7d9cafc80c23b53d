"""The peer side of benches/dynamic_message.rs: python-diameter 0.9.0 decoding and
re-encoding the seed CCR, reading the same three values. Prints ns per message.

    pip install python-diameter==0.9.0
    python3 benches/python_diameter_seed.py [ITERATIONS]
"""
import pathlib
import sys
import time

from diameter.message import Message

HEX = (pathlib.Path(__file__).parent.parent / "tests/data/seed_ccr.hex").read_text().strip()
RAW = bytes.fromhex(HEX)


def one():
    msg = Message.from_bytes(RAW)
    msg.subscription_id[0].subscription_id_data
    msg.multiple_services_credit_control[0].requested_service_unit.cc_service_specific_units
    msg.service_information.sms_information.recipient_info[0].recipient_address[0].address_data
    return msg.as_bytes()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    assert one() == RAW, "python-diameter must re-encode the seed byte for byte"
    start = time.perf_counter_ns()
    for _ in range(n):
        one()
    elapsed = time.perf_counter_ns() - start
    print(f"python-diameter decode+read3+encode: {elapsed / n:.0f} ns/message ({n} iterations)")


if __name__ == "__main__":
    main()
