"""A real SOAP toolkit (zeep) against ferry's generated WSDL: loads it, calls operations
through it over SOAP 1.1 and 1.2, pages with MoreResults and receives a validation fault.
Usage: zeep_client.py BASE_URL USER TOKEN (USER may only call executeInvoice, createInvoice
and queryLine). Exits non-zero on the first mismatch; prints one line per check."""
import sys

import requests
from zeep import Client, Settings
from zeep.exceptions import Fault
from zeep.transports import Transport

base, user, token = sys.argv[1:4]
session = requests.Session()
session.auth = (user, token)
transport = Transport(session=session)
invoice = {"currency": "EUR", "number": 42, "issued": "2026-11-02",
           "customer": {"name": "ACME"},
           "line": [{"text": "Consulting", "quantity": 2, "amount": "1200.00"}]}

for mode in ("?wsdl=single", "?wsdl"):
    client = Client(base + "/ws/soap" + mode, transport=transport,
                    settings=Settings(strict=True))
    for port in ("ferrySoap", "ferrySoap12"):
        service = client.bind("ferry", port)
        # Only what this user may call is described.
        operations = sorted(client.wsdl.services["ferry"].ports[port].binding._operations)
        assert operations == ["createInvoice", "executeInvoice", "queryLine",
                              "queryLineMoreResults"], operations

        verdict = service.executeInvoice(Invoice=invoice)
        assert verdict.number == 42 and verdict.ok is True, verdict

        receipt = service.createInvoice(Invoice=invoice)
        assert receipt.documentCount == 1 and len(receipt.documentId) == 1, receipt
        assert receipt.durability == "fsync", receipt

        lines = [{"sku": "A-%d" % i, "qty": i} for i in range(1, 6)]
        page = service.queryLine(LineList={"Line": lines})
        got = [l.sku for l in page.Line]
        while page.moreDataToken:
            page = service.queryLineMoreResults(moreDataToken=page.moreDataToken)
            got += [l.sku for l in page.Line]
        assert got == ["A-%d" % i for i in range(1, 6)], got

        bad = dict(invoice, number="forty-two")
        try:
            client.settings.strict = False
            with client.settings(raw_response=False):
                service.executeInvoice(Invoice=bad)
            raise AssertionError("an invalid invoice was accepted")
        except Fault as fault:
            assert "/Invoice/number" in fault.message, fault.message
            assert fault.detail is not None
        print("ok", mode, port)
