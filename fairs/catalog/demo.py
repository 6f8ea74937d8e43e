"""Demo venues and the two livestream channels the action plan names."""

from __future__ import annotations

from .tables import Channel, Venue

VENUES = [
    # name, address, org, capacity, step free, default booth layout (rows, booths per row)
    ("西海岸新区人力资源市场", "青岛西海岸新区长江中路 228 号", "xha", 3000, True, (6, 10)),
    ("新区人才服务中心报告厅", "青岛西海岸新区井冈山路 157 号", "xha", 600, True, (2, 8)),
    ("古镇口大学城招聘广场", "青岛西海岸新区古镇口大学城", "gzk", 2000, False, (5, 8)),
    ("灵山湾影视产业园会展中心", "青岛西海岸新区灵山湾路 1888 号", "lsw", 1200, True, (4, 10)),
    ("胶州市人力资源市场", "胶州市扬州路 100 号", "jiaozhou", 1500, True, (5, 10)),
]

CHANNELS = [
    ("就业街小圆桌", "https://live.example.org/xiaoyuanzhuo", "xha"),
    ("职海冲浪", "https://live.example.org/zhihaichonglang", "xha"),
]


async def load(ctx) -> None:
    have = {r["name"] for r in await Venue.select(Venue.name)}
    for name, address, org, capacity, step_free, (rows, per_row) in VENUES:
        if name not in have:
            await Venue.insert(Venue(name=name, address=address, org=ctx.ids[f"org:{org}"],
                                     capacity=capacity, step_free=step_free, booth_rows=rows,
                                     booths_per_row=per_row))
    for row in await Venue.select(Venue.id, Venue.name):
        ctx.ids[f"venue:{row['name']}"] = row["id"]
    have = {r["name"] for r in await Channel.select(Channel.name)}
    for name, url, org in CHANNELS:
        if name not in have:
            await Channel.insert(Channel(name=name, url=url, org=ctx.ids[f"org:{org}"]))
    for row in await Channel.select(Channel.id, Channel.name):
        ctx.ids[f"channel:{row['name']}"] = row["id"]
