"""Render + sign a conclusion in-process (moto KMS), and the signed PDF's size."""

from __future__ import annotations

import time

from bench.harness import Row, at_most, median, row
from bench.inprocess import moto_stage

RUNS = 7
TEXT = {
    "complaints": "Головная боль по утрам, слабость, снижение работоспособности в течение двух недель.",
    "anamnesis": "Гипертоническая болезнь около пяти лет; принимает лизиноприл 10 мг утром.",
    "examination": "По данным самоконтроля АД 150/95 мм рт. ст., ЧСС 78 в минуту.",
    "conclusion": "Артериальная гипертензия 2 степени, неконтролируемая на текущей терапии.",
    "recommendations": "Дневник давления две недели; коррекция терапии; повторная консультация.",
}


def measure() -> list[Row]:
    with moto_stage():
        import os

        from cryptography.hazmat.primitives import serialization

        from chalicelib import aws
        from chalicelib.conclusions.document import render
        from chalicelib.signing.ca import ca_certificate, issue_doctor_certificate
        from chalicelib.signing.pades import KmsDocumentSigner

        key_id = aws.kms().create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        public = aws.kms().get_public_key(KeyId=key_id)["PublicKey"]
        cert = issue_doctor_certificate(
            public,
            "Иванов Сергей Николаевич",
            "bench",
            os.environ.get("CLINIC_NAME", "ФГБУ СЗОНКЦ им. Л.Г. Соколова ФМБА России"),
        )
        ca_pem = ca_certificate().public_bytes(serialization.Encoding.PEM).decode()
        signer = KmsDocumentSigner(key_id, cert, ca_pem)
        timings, sizes = [], []
        for i in range(RUNS + 1):
            started = time.perf_counter()
            pdf = render(
                clinic_name="ФГБУ СЗОНКЦ им. Л.Г. Соколова ФМБА России",
                clinic_address="Санкт-Петербург, пр. Луначарского, 49",
                booking_id=f"bench-{i}",
                patient={
                    "full_name": "Петрова Анна Викторовна",
                    "birth_date": "12 апреля 1985 г.",
                    "card_number": "2026-000001",
                },
                doctor={"full_name": "Иванов Сергей Николаевич", "specialty": "Терапия"},
                consultation_time="26 ноября 2026 г., 14:30 (по московскому времени)",
                sections=TEXT,
                signer={
                    "name": "Иванов Сергей Николаевич",
                    "when": "26 ноября 2026 г., 15:02",
                    "serial": "1A2B3C",
                    "issuer": "УЦ Центра телемедицины",
                },
                verify_url="http://127.0.0.1:8000/verify",
            )
            signed = signer.sign_pdf(pdf, reason="bench", location="Санкт-Петербург")
            if i:  # the first run pays for imports and font parsing, as a cold Lambda would
                timings.append(time.perf_counter() - started)
                sizes.append(len(signed))
    return [
        row(f"conclusion render + KMS sign in-process, median of {RUNS} (warm)", median(timings), "s", at_most(0.5)),
        row("signed conclusion PDF size", max(sizes) / 1024, "KB", at_most(200)),
    ]
