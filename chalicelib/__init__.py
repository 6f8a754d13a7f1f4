"""The clinic's telemedicine service: domain logic, storage and the HTTP edge.

Nothing here creates an AWS client or imports a heavy library at import time:
every Lambda function of the Chalice app imports ``app.py``.
"""
