"""The local stack: the whole product on one machine, moto standing in for AWS."""
