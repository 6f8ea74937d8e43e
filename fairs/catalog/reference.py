"""Reference data from the bureau's action plans (pure: no database, no HTTP).

The "5+5+7" key industries (000_e41461a734ddef5a.txt, 一.1): five traditional strengths, five
strategic emerging industries and seven modern service industries; and the target groups the plans
name for special fairs.
"""

INDUSTRIES: list[tuple[str, str, str, str]] = [
    # code, name_zh, name_en, group
    ("shipbuilding", "船舶海工", "Shipbuilding and offshore engineering", "traditional"),
    ("smart-appliances", "智能家电", "Smart home appliances", "traditional"),
    ("chemicals", "高端化工新材料", "High-end chemicals and new materials", "traditional"),
    ("automotive", "汽车", "Automotive", "traditional"),
    ("equipment", "高端装备", "High-end equipment", "traditional"),
    ("chips-displays", "“芯屏”", "Chips and displays", "emerging"),
    ("marine-biomedicine", "海洋生物医药", "Marine biomedicine", "emerging"),
    ("virtual-reality", "虚拟现实", "Virtual reality", "emerging"),
    ("ai", "人工智能", "Artificial intelligence", "emerging"),
    ("film", "影视", "Film and television", "emerging"),
    ("finance", "现代金融", "Modern finance", "services"),
    ("logistics", "现代物流", "Modern logistics", "services"),
    ("commerce", "现代商贸", "Modern commerce and trade", "services"),
    ("software", "软件和信息服务", "Software and information services", "services"),
    ("tech-services", "科技服务", "Science and technology services", "services"),
    ("culture-tourism", "文化旅游", "Culture and tourism", "services"),
    ("exhibitions", "会展", "Conventions and exhibitions", "services"),
]

INDUSTRY_GROUPS = {
    "traditional": ("五大传统优势产业", "Traditional strengths"),
    "emerging": ("五大战略性新兴产业", "Strategic emerging industries"),
    "services": ("七大现代服务产业", "Modern service industries"),
}

AUDIENCES: list[tuple[str, str, str]] = [
    ("general", "所有求职者", "Everyone"),
    ("graduates", "高校毕业生", "College graduates"),
    ("veterans", "退役军人", "Veterans"),
    ("disabled", "残疾人", "Persons with disabilities"),
    ("women", "妇女", "Women"),
    ("military-spouses", "随军家属", "Military spouses"),
    ("rural-migrant", "农村劳动力和农民工", "Rural and migrant workers"),
    ("difficulty", "就业困难人员", "People with employment difficulties"),
    ("youth", "青年", "Youth"),
]
