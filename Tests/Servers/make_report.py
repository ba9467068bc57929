#!/usr/bin/env python3
"""Writes a bounce (DSN, RFC 3464) or complaint (ARF, RFC 5965) report with Python's email
package, as a receiving mail system would send it, to --out or (with --imap INFO) into the
test IMAP server's INBOX.

kinds: hard (5.1.1), soft (4.2.2, delayed), policy (5.7.26), success (2.0.0), complaint."""
import argparse
import imaplib
import json
import ssl
import sys
from email.message import EmailMessage, Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate

parser = argparse.ArgumentParser()
parser.add_argument("--kind", required=True, choices=["hard", "soft", "policy", "success", "complaint"])
parser.add_argument("--to", required=True, help="where the report is addressed (the VERP address, or abuse@)")
parser.add_argument("--recipient", required=True, help="the address the original message went to")
parser.add_argument("--message-id", default=None, help="the original Message-ID, with angle brackets")
parser.add_argument("--out")
parser.add_argument("--imap")
args = parser.parse_args()

original = EmailMessage()
original["From"] = "alerts@example.org"
original["To"] = args.recipient
original["Subject"] = "Ruben Vardanyan: detained, now released"
if args.message_id:
    original["Message-ID"] = args.message_id
original.set_content("An alert.\n")

if args.kind == "complaint":
    report = MIMEMultipart("report", report_type="feedback-report")
    report.attach(MIMEText("This is an email abuse report for an email message received from IP 192.0.2.1.\n"))
    feedback = Message()
    feedback["Content-Type"] = "message/feedback-report"
    fields = Message()
    fields["Feedback-Type"] = "abuse"
    fields["User-Agent"] = "TestMailboxProvider/1.0"
    fields["Version"] = "1"
    fields["Original-Rcpt-To"] = args.recipient
    fields["Source-IP"] = "192.0.2.1"
    feedback.set_payload([fields])
    report.attach(feedback)
    quoted = Message()
    quoted["Content-Type"] = "message/rfc822"
    quoted.set_payload([original])
    report.attach(quoted)
    report["From"] = "feedback@mailbox-provider.example"
    report["Subject"] = "Abuse report"
else:
    status, action, code = {
        "hard": ("5.1.1", "failed", "550 5.1.1 The email account that you tried to reach does not exist"),
        "soft": ("4.2.2", "delayed", "452 4.2.2 The recipient's inbox is out of storage space"),
        "policy": ("5.7.26", "failed",
                   "550 5.7.26 Unauthenticated email from example.org is not accepted due to domain's DMARC policy"),
        "success": ("2.0.0", "delivered", "250 2.0.0 OK"),
    }[args.kind]
    report = MIMEMultipart("report", report_type="delivery-status")
    report.attach(MIMEText("This is the mail system at host mx.example.net.\n\nYour message could not be delivered.\n"))
    dsn = Message()
    dsn["Content-Type"] = "message/delivery-status"
    per_message = Message()
    per_message["Reporting-MTA"] = "dns; mx.example.net"
    per_message["Arrival-Date"] = formatdate()
    per_recipient = Message()
    per_recipient["Final-Recipient"] = f"rfc822; {args.recipient}"
    per_recipient["Original-Recipient"] = f"rfc822;{args.recipient}"
    per_recipient["Action"] = action
    per_recipient["Status"] = status
    per_recipient["Remote-MTA"] = "dns; mx.recipient.example"
    per_recipient["Diagnostic-Code"] = f"smtp; {code}"
    dsn.set_payload([per_message, per_recipient])
    report.attach(dsn)
    headers = Message()
    headers["Content-Type"] = "text/rfc822-headers"
    headers.set_payload("".join(f"{k}: {v}\n" for k, v in original.items()))
    report.attach(headers)
    report["From"] = "MAILER-DAEMON@mx.example.net"
    report["Subject"] = "Undelivered Mail Returned to Sender"
report["To"] = args.to
report["Date"] = formatdate()
data = report.as_bytes()

if args.imap:
    info = json.load(open(args.imap))
    context = ssl.create_default_context(cafile=info["ca"])
    mailbox = imaplib.IMAP4_SSL("127.0.0.1", info["port"], ssl_context=context)
    mailbox.login(info["user"], info["password"])
    result, _ = mailbox.append("INBOX", None, None, data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    mailbox.logout()
    sys.exit(0 if result == "OK" else 1)
with open(args.out, "wb") as out:
    out.write(data)
