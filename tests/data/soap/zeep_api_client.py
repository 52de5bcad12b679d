"""A real SOAP toolkit (zeep) against an API's own WSDL (docs/apis.md, "SOAP"): loads
BASE/ws/soap/orders/v2 in both WSDL modes, sees only the API's SOAP operation and calls it over
SOAP 1.1 and 1.2. Usage: zeep_api_client.py BASE_URL. Prints one line per check."""
import sys

from zeep import Client, Settings

base = sys.argv[1]
invoice = {"currency": "EUR", "number": 7, "issued": "2026-11-02",
           "customer": {"name": "ACME"},
           "line": [{"text": "Consulting", "quantity": 1, "amount": "2.50"}]}

for mode in ("?wsdl=single", "?wsdl"):
    client = Client(base + "/ws/soap/orders/v2" + mode, settings=Settings(strict=True))
    for port in ("ferrySoap", "ferrySoap12"):
        service = client.bind("ferry", port)
        operations = sorted(client.wsdl.services["ferry"].ports[port].binding._operations)
        assert operations == ["createInvoice"], operations
        receipt = service.createInvoice(Invoice=invoice)
        assert receipt.documentCount == 1 and receipt.durability == "fsync", receipt
        print("ok", mode, port)
