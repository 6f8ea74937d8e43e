"""Demo registrations: tickets for the demo's held offline fairs (their admissions come from
fairs.checkin.demo) and a few hundred for the next upcoming one. Fast bulk inserts; idempotent:
a fair that has a registration tally already is left alone. Does nothing without fairs."""

from __future__ import annotations

import random
from datetime import timedelta

from fairs import clock, db

from . import codes

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐"
            "许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁")
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明",
         "超", "秀英", "丽", "浩然", "子涵", "欣怡", "梓萱", "宇轩", "思远", "雨桐", "俊杰", "佳怡"]
AUDIENCES = ["graduates", "youth", "general", "veterans", "rural-migrants", "women",
             "disabilities", "difficulties"]
UPCOMING_TICKETS = 300
CHUNK = 400


async def bulk_insert(table: str, columns: list[str], rows: list[tuple]) -> None:
    """Multi-row INSERTs in chunks, inside the caller's transaction."""
    marks = "(" + ", ".join("{}" for _ in columns) + ")"
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        args = [v for row in chunk for v in row]
        await db.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                         + ", ".join(marks for _ in chunk), *args)


def person(rng: random.Random, fair_id: int, n: int) -> tuple[str, str, str]:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    phone = f"+86139{fair_id % 1000:03d}{n:05d}"
    audiences = ",".join(sorted(set(rng.sample(AUDIENCES, rng.choice((0, 1, 1, 2))))))
    return name, phone, audiences


async def add_registrations(fair: dict, count: int, rng: random.Random) -> None:
    rows = []
    for n in range(count):
        name, phone, audiences = person(rng, fair["id"], n)
        made = fair["published_at"] or fair["starts_at"] - timedelta(days=7)
        at = made + (fair["starts_at"] - made) * rng.random()
        rows.append((fair["id"], codes.new_code(), codes.secret_hash(codes.new_secret()), name,
                     phone, phone[-4:], audiences, "active", "online", at))
    async with db.write_transaction():
        await bulk_insert("registration", ["fair", "code", "secret_hash", "name", "phone",
                                           "phone_last4", "audiences", "status", "source",
                                           "created_at"], rows)
        await db.execute("INSERT INTO registration_tally (fair, active) VALUES ({}, {})",
                         fair["id"], count)


async def load(ctx) -> None:
    now = clock.now()
    fairs = await db.fetch(
        "SELECT id, kind, capacity, starts_at, ends_at, published_at FROM fair f "
        "WHERE status = 'published' AND kind = 'offline' "
        "AND NOT EXISTS (SELECT 1 FROM registration_tally t WHERE t.fair = f.id) "
        "ORDER BY starts_at")
    if not fairs:
        return
    for f in fairs:
        for key in ("starts_at", "ends_at", "published_at"):
            f[key] = db.as_datetime(f[key])
    held = [f for f in fairs if f["ends_at"] <= now]
    upcoming = [f for f in fairs if f["starts_at"] > now]
    for f in held:
        rng = random.Random(f["id"])
        count = rng.randint(40, 160)
        if f["capacity"]:
            count = min(count, f["capacity"])
        await add_registrations(f, count, rng)
    already = await db.fetch(
        "SELECT COUNT(*) AS n FROM registration_tally t JOIN fair f ON f.id = t.fair "
        "WHERE f.starts_at > {} AND f.status = 'published'", now)
    if upcoming and not int(already[0]["n"]):
        f = upcoming[0]
        count = UPCOMING_TICKETS if not f["capacity"] else min(UPCOMING_TICKETS, f["capacity"])
        await add_registrations(f, count, random.Random(f["id"]))
