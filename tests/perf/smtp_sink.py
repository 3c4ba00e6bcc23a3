"""A local SMTP server that accepts and counts mail, for the email benchmark.

`python -m tests.perf.smtp_sink PORT`: prints "ready" once it listens, and the
number of messages it received when its stdin closes. It runs in its own
process, as a real mail server would: in the bench's process its parsing
would take turns with the sender for the interpreter lock.
"""

import sys

from aiosmtpd.controller import Controller


class CountingSink:
    received = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        CountingSink.received += 1
        return "250 OK"


def main() -> None:
    controller = Controller(CountingSink(), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()  # until the bench closes it
    controller.stop()
    print(CountingSink.received, flush=True)


if __name__ == "__main__":
    main()
