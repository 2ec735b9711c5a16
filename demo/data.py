"""The Kent and Medway ICS symposium, as plain data for `manage.py loaddemo`.

The facts (speakers, quotes, council presentations, films, strategy, breakout themes)
come from NHS Kent and Medway's public report of the symposium in Canterbury and its
news item on the Prevention Concordat for Better Mental Health. The date, times, rooms,
venue wording and every delegate are made up for the demo: the delegates are obviously
fictional ("Sample Delegate 01") and use example.org addresses.
"""

import datetime as dt

from speakers.enums import PresentationKind
from symposium.enums import AgendaKind, DietaryRequirement, RegistrationStatus, Sector

EVENT = {
    "slug": "kent-medway-symposium",
    "name": "Kent and Medway Integrated Care System Symposium",
    "summary": (
        "Working collaboratively towards better outcomes for all is key to delivering "
        "sustainable change in Kent and Medway. Partners from across the Kent and Medway "
        "Integrated Care System (ICS) – the NHS, councils, Kent Police, the voluntary, "
        "community and social enterprise (VCSE) sector and many more – come together in "
        "Canterbury to hear from and challenge one another: on mental health crisis care, "
        "projects already making a difference in communities, the Integrated Care "
        "Strategy, and five breakout discussions on where everyone present plays a part."
    ),
    "audience": (
        "Everyone working across the Kent and Medway Integrated Care System: NHS Kent and "
        "Medway and NHS partners, Kent County Council, Medway Council and the district "
        "councils, Kent Police, the voluntary, community and social enterprise (VCSE) "
        "sector, Healthwatch, housing providers, universities and other partners."
    ),
    # The reports do not name the venue, so the demo does not invent one.
    "venue_name": "A conference centre in Canterbury",
    "venue_address": "Canterbury, Kent\nThe full address will be published before the event.",
    "delegate_capacity": 250,
    "is_published": True,
    "contact_email": "symposium@example.org",
    "retention_days": 180,
    "privacy_notice": (
        "The symposium organisers use your name, email address, organisation, sector and "
        "job title to manage your registration and your breakout place, to send you "
        "information about this event and to produce attendance lists for the organising "
        "team. We do not use your details for marketing and we do not sell or share them "
        "outside the organising team.\n\n"
        "Dietary and access needs are collected only with your separate consent. We use "
        "them only to plan catering and access on the day, and you can withdraw that "
        "consent at any time from the link in your confirmation email.\n\n"
        "You can change or cancel your registration from the same link. We delete your "
        "personal data 180 days after the event. Questions: symposium@example.org."
    ),
    "accessibility_statement": (
        "All rooms used for the symposium have step-free access, and the main hall has a "
        "hearing loop. Tell us about any access needs when you register, or email "
        "symposium@example.org, and we will do our best to meet them.\n\n"
        "This website aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at "
        "level AA. If you find something you cannot use, please email "
        "symposium@example.org and tell us the page and the problem; we will reply within "
        "five working days."
    ),
}


def event_dates(today: dt.date) -> dict:
    """The symposium on a Thursday about six months ahead, registration open from the day
    the demo is loaded until a week before: whenever someone tries the demo (or the
    tests run), registration is open."""
    day = today + dt.timedelta(weeks=26)
    day += dt.timedelta(days=(3 - day.weekday()) % 7)
    return {
        "starts_on": day,
        "ends_on": day,
        "registration_opens_at": (today, dt.time(0, 0)),
        "registration_closes_at": (day - dt.timedelta(days=7), dt.time(23, 59)),
    }


MAIN_HALL = "Main hall"

ROOMS = [
    {
        "name": MAIN_HALL,
        "capacity": 300,
        "access_notes": "Step-free from the main entrance. Hearing loop. Wheelchair spaces "
        "at the front and the back.",
    },
    {
        "name": "Breakout room 1",
        "capacity": 50,
        "access_notes": "Ground floor, step-free. Hearing loop.",
    },
    {
        "name": "Breakout room 2",
        "capacity": 60,
        "access_notes": "Ground floor, step-free.",
    },
    {
        "name": "Breakout room 3",
        "capacity": 50,
        "access_notes": "First floor, reached by lift or stairs.",
    },
    {
        "name": "Breakout room 4",
        "capacity": 40,
        "access_notes": "First floor, reached by lift or stairs. Portable hearing loop.",
    },
    {
        "name": "Breakout room 5",
        "capacity": 24,
        "access_notes": "Ground floor, step-free. A quieter room away from the main hall.",
    },
]

# Biographies say only what the reports say about each speaker. The district councils'
# presenters are not named in the reports, so the council team is the speaker.
SPEAKERS = [
    {
        "slug": "paul-bentley",
        "name": "Paul Bentley",
        "role": "Chief Executive",
        "organisation": "NHS Kent and Medway",
        "biography": "Paul Bentley is Chief Executive of NHS Kent and Medway. He opens the "
        "symposium with a call for partners across the public sector in Kent and Medway to "
        "learn together and collaborate for sustainable change.",
    },
    {
        "slug": "tracey-harman",
        "name": "Tracey Harman",
        "role": "Assistant Chief Constable",
        "organisation": "Kent Police",
        "biography": "Tracey Harman is an Assistant Chief Constable of Kent Police. She "
        "speaks about the work done with partners so that people in mental health crisis "
        "receive the right care from the right person.",
    },
    {
        "slug": "dover-district-council",
        "name": "Dover District Council",
        "role": "Community projects team",
        "organisation": "Dover District Council",
        "biography": "Council colleagues from Dover give an overview of community-based "
        "projects already under way in Dover.",
    },
    {
        "slug": "sevenoaks-district-council",
        "name": "Sevenoaks District Council",
        "role": "Council team",
        "organisation": "Sevenoaks District Council",
        "biography": "Council colleagues from Sevenoaks showcase the Sevenoaks website.",
    },
    {
        "slug": "medway-council",
        "name": "Medway Council",
        "role": "Council team",
        "organisation": "Medway Council",
        "biography": "Council colleagues from Medway present their work on improving "
        "mental wellbeing for children in Medway.",
    },
    {
        "slug": "ashford-borough-council",
        "name": "Ashford Borough Council",
        "role": "Council team",
        "organisation": "Ashford Borough Council",
        "biography": "Council colleagues from Ashford present a community-based health "
        "prevention service linked to a housing scheme in Ashford.",
    },
    {
        "slug": "medway-swale-health-care-partnership",
        "name": "Medway and Swale Health and Care Partnership",
        "role": "Health and care partnership",
        "organisation": "Medway and Swale Health and Care Partnership",
        "biography": "The partnership's film shows its work on improving population health "
        "inequalities with the voluntary, community and social enterprise (VCSE) sector.",
    },
    {
        "slug": "kent-medway-suicide-prevention-team",
        "name": "Kent and Medway Suicide Prevention Team",
        "role": "Suicide prevention team",
        "organisation": "Kent and Medway Suicide Prevention Programme",
        "biography": "The team's film shows the Hope Community Arts Fund project and "
        "exhibition. Its Suicide Prevention Network has more than 160 charities, agencies, "
        "individuals and academics.",
    },
    {
        "slug": "james-williams",
        "name": "James Williams",
        "role": "Director of Public Health",
        "organisation": "Medway Council",
        "biography": "James Williams is Director of Public Health at Medway Council. He is "
        "committed to working with partners on the factors that influence people's mental "
        "health, with a particular focus on prevention and a collaborative, whole-system "
        "approach to supporting residents.",
    },
    {
        "slug": "anjan-ghosh",
        "name": "Anjan Ghosh",
        "role": "Director of Public Health",
        "organisation": "Kent County Council",
        "biography": "Anjan Ghosh is Director of Public Health at Kent County Council. With "
        "James Williams he presents Kent and Medway's Integrated Care Strategy.",
    },
    {
        "slug": "hilary-cottam",
        "name": "Hilary Cottam",
        "role": "Guest speaker and change-maker",
        "organisation": "",
        "biography": "Hilary Cottam is a change-maker. As guest speaker she calls on those "
        "present to be brave and be the change within the system.",
    },
]

PAUL_BENTLEY_QUOTE = (
    "“We are our best when we learn together and operate cohesively across the public "
    "sector in Kent and Medway. We are working in challenging times, but it is not an "
    "option for us not to do things. The long-term solution is to collaborate. "
    "Collaboration for me is where we do sustainable change.”"
)
TRACEY_HARMAN_QUOTE = (
    "“Working together on early prevention, advice, assessments and alternative pathways "
    "has reduced use of Section 136 of the Mental Health Act in Kent and Medway.”"
)
HILARY_COTTAM_QUOTE = (
    "“Tell a new story. Organise horizontally. Create possibility. Be brave. Be architects "
    "of the system that uses resources in a different way.”"
)

BREAKOUT_ROUND_TITLE = "Breakout discussions"

# Times are Europe/London on the event day. Presentations are listed in running order.
AGENDA = [
    {
        "starts": "08:45",
        "ends": "09:30",
        "kind": AgendaKind.BREAK,
        "title": "Arrival, registration and coffee",
        "room": None,
        "description": "Collect your badge and meet colleagues from across the ICS.",
        "presentations": [],
    },
    {
        "starts": "09:30",
        "ends": "09:50",
        "kind": AgendaKind.PLENARY,
        "title": "Welcome and opening",
        "room": MAIN_HALL,
        "description": "Paul Bentley, Chief Executive of NHS Kent and Medway, opens the "
        f"symposium: {PAUL_BENTLEY_QUOTE}",
        "presentations": [
            {
                "title": "Opening address: collaboration and cohesion",
                "kind": PresentationKind.TALK,
                "abstract": PAUL_BENTLEY_QUOTE,
                "speakers": ["paul-bentley"],
            }
        ],
    },
    {
        "starts": "09:50",
        "ends": "10:20",
        "kind": AgendaKind.PRESENTATION,
        "title": "Right care, right person: supporting people in mental health crisis",
        "room": MAIN_HALL,
        "description": "Kent Police Assistant Chief Constable Tracey Harman on the work "
        "that has taken place so that people in mental health crisis receive the right care "
        "from the right person. Through organisations working together, the number of "
        "people experiencing a mental health crisis taken to a section 136 suite in Kent "
        "and Medway has reduced by 60 per cent.",
        "presentations": [
            {
                "title": "Mental health crisis care: right care, right person",
                "kind": PresentationKind.TALK,
                "abstract": TRACEY_HARMAN_QUOTE,
                "speakers": ["tracey-harman"],
            }
        ],
    },
    {
        "starts": "10:20",
        "ends": "11:10",
        "kind": AgendaKind.PRESENTATION,
        "title": "Making a difference in communities: district council presentations",
        "room": MAIN_HALL,
        "description": "Council colleagues from Dover, Sevenoaks, Medway and Ashford present "
        "projects already under way which are making a difference in their communities.",
        "presentations": [
            {
                "title": "Community-based projects in Dover",
                "kind": PresentationKind.TALK,
                "abstract": "An overview of community-based projects in Dover.",
                "speakers": ["dover-district-council"],
            },
            {
                "title": "Showcasing the Sevenoaks website",
                "kind": PresentationKind.TALK,
                "abstract": "A tour of the Sevenoaks website.",
                "speakers": ["sevenoaks-district-council"],
            },
            {
                "title": "Improving mental wellbeing for children in Medway",
                "kind": PresentationKind.TALK,
                "abstract": "How Medway is improving mental wellbeing for children.",
                "speakers": ["medway-council"],
            },
            {
                "title": "A community-based health prevention service linked to a housing "
                "scheme in Ashford",
                "kind": PresentationKind.TALK,
                "abstract": "A community-based health prevention service linked to a "
                "housing scheme in Ashford.",
                "speakers": ["ashford-borough-council"],
            },
        ],
    },
    {
        "starts": "11:10",
        "ends": "11:30",
        "kind": AgendaKind.BREAK,
        "title": "Morning break",
        "room": None,
        "description": "Tea and coffee.",
        "presentations": [],
    },
    {
        "starts": "11:30",
        "ends": "11:50",
        "kind": AgendaKind.FILM,
        "title": "Films from our partners",
        "room": MAIN_HALL,
        "description": "Two short films: Medway and Swale Health and Care Partnership's work "
        "on improving population health inequalities with the voluntary, community and "
        "social enterprise (VCSE) sector, and the Kent and Medway Suicide Prevention Team's "
        "Hope Community Arts Fund project and exhibition.",
        "presentations": [
            {
                "title": "Improving children's health on Isle of Sheppey",
                "kind": PresentationKind.FILM,
                "abstract": "Medway and Swale Health and Care Partnership's work on improving "
                "population health inequalities, working with the community, voluntary and "
                "social enterprise (VCSE) sector.",
                "speakers": ["medway-swale-health-care-partnership"],
            },
            {
                "title": "Hope Community Arts Fund exhibition",
                "kind": PresentationKind.FILM,
                "abstract": "The Kent and Medway Suicide Prevention Team's Hope Community "
                "Arts Fund project and exhibition.",
                "speakers": ["kent-medway-suicide-prevention-team"],
            },
        ],
    },
    {
        "starts": "11:50",
        "ends": "12:30",
        "kind": AgendaKind.PRESENTATION,
        "title": "Kent and Medway's Integrated Care Strategy",
        "room": MAIN_HALL,
        "description": "Public Health directors James Williams and Anjan Ghosh present Kent "
        "and Medway's Integrated Care Strategy, refreshed following listening events with "
        "communities across Kent and Medway. The strategy has been produced by NHS Kent and "
        "Medway, Kent County Council and Medway Council, supported by district councils, "
        "Healthwatch organisations and the voluntary sector. It looks at how health and care "
        "colleagues from the NHS and local councils can work together to make improvements.",
        "presentations": [
            {
                "title": "Kent and Medway's Integrated Care Strategy",
                "kind": PresentationKind.TALK,
                "abstract": "The refreshed strategy and how NHS and council colleagues can "
                "work together to make improvements.",
                "speakers": ["james-williams", "anjan-ghosh"],
            }
        ],
    },
    {
        "starts": "12:30",
        "ends": "13:15",
        "kind": AgendaKind.BREAK,
        "title": "Lunch",
        "room": None,
        "description": "Lunch and networking.",
        "presentations": [],
    },
    {
        "starts": "13:15",
        "ends": "13:50",
        "kind": AgendaKind.PLENARY,
        "title": "Be brave",
        "room": MAIN_HALL,
        "description": "Guest speaker and change-maker Hilary Cottam calls on those present "
        f"to be brave and be the change within the system: {HILARY_COTTAM_QUOTE}",
        "presentations": [
            {
                "title": "Be brave",
                "kind": PresentationKind.KEYNOTE,
                "abstract": HILARY_COTTAM_QUOTE,
                "speakers": ["hilary-cottam"],
            }
        ],
    },
    {
        "starts": "14:00",
        "ends": "15:15",
        "kind": AgendaKind.BREAKOUT_ROUND,
        "title": BREAKOUT_ROUND_TITLE,
        "room": None,
        "description": "Discussion groups on five key areas in which those at the symposium "
        "play a part. Each group meets in its own breakout room.",
        "presentations": [],
    },
    {
        "starts": "15:30",
        "ends": "16:00",
        "kind": AgendaKind.PLENARY,
        "title": "Reflections and close",
        "room": MAIN_HALL,
        "description": "What came out of the breakout discussions, and next steps.",
        "presentations": [],
    },
]

# One session per theme in the breakout round, theme n in "Breakout room n".
THEMES = [
    {
        "number": 1,
        "title": "Developing a healthier economy and population",
        "description": "How partners can work together on the wider factors that shape "
        "health, such as jobs, debt and access to safe and green outdoor space, and on "
        "prevention: working together has already brought a 10.5 per cent increase in "
        "people having blood pressure checks in Kent and Medway.",
        "room": "Breakout room 1",
        "capacity": 40,
        "facilitator": "Public health facilitator",
    },
    {
        "number": 2,
        "title": "From volunteer to career – how to grow the next generation of health and "
        "social care professionals",
        "description": "How NHS, council and voluntary sector partners can help people move "
        "from volunteering into health and social care careers, and grow the next "
        "generation of professionals in Kent and Medway.",
        "room": "Breakout room 2",
        "capacity": 50,
        "facilitator": "Workforce development facilitator",
    },
    {
        "number": 3,
        "title": "Giving children and young people the best start in life",
        "description": "What partners can do together so that children and young people get "
        "the best start in life, one of the factors that helps prevent poor mental health, "
        "building on work such as improving mental wellbeing for children in Medway and "
        "children's health on the Isle of Sheppey.",
        "room": "Breakout room 3",
        "capacity": 40,
        "facilitator": "Children and young people's facilitator",
    },
    {
        "number": 4,
        "title": "Working alongside the VCSE as part of an effective integrated care system",
        "description": "How statutory partners and the voluntary, community and social "
        "enterprise (VCSE) sector work alongside each other in an effective integrated care "
        "system, from networks such as the Better Mental Health Network, with more than 320 "
        "members, to local charities such as Dads Unlimited and Rising Sun.",
        "room": "Breakout room 4",
        "capacity": 30,
        "facilitator": "VCSE partnership facilitator",
    },
    {
        "number": 5,
        "title": "Health and housing",
        "description": "How housing and health partners can work together: affordable "
        "housing is one of the factors that help prevent poor mental health, and Ashford's "
        "community-based health prevention service is linked to a housing scheme.",
        "room": "Breakout room 5",
        "capacity": 20,
        "facilitator": "Health and housing facilitator",
    },
]

C, X = RegistrationStatus.CONFIRMED, RegistrationStatus.CANCELLED
NHSKM = "NHS Kent and Medway"
MSHCP = "Medway and Swale Health and Care Partnership"
KCC = "Kent County Council"
HOMES = "Example Homes Housing Association"  # fictional: the reports name no provider
OHID = "Office for Health Improvement and Disparities"
SPN = "Kent and Medway Suicide Prevention Network"


def _needs(dietary=DietaryRequirement.NONE, details="", access=""):
    return {"dietary_requirement": dietary, "dietary_details": details, "access_needs": access}


# (organisation, sector, job title, C to register or X to cancel afterwards, breakout
# theme number, needs). The loader registers them in this order as the portal would: the
# event has places for everyone, so nobody is on its waitlist; the last two who pick
# theme 5 find it full and join its waitlist.
_DELEGATE_ROWS = [
    (NHSKM, Sector.NHS, "Population health manager", C, 1, None),
    (NHSKM, Sector.NHS, "Head of commissioning", C, 5, None),
    (NHSKM, Sector.NHS, "Clinical lead for mental health", C, 3, _needs("vegetarian")),
    (NHSKM, Sector.NHS, "Workforce development lead", C, 2, None),
    (NHSKM, Sector.NHS, "Programme manager", C, 5, None),
    (NHSKM, Sector.NHS, "Public involvement officer", C, 4, None),
    (NHSKM, Sector.NHS, "Data analyst", C, 1, None),
    (NHSKM, Sector.NHS, "Nurse consultant", C, None, None),
    (MSHCP, Sector.NHS, "Partnership manager", C, 3, None),
    (MSHCP, Sector.NHS, "Health inequalities lead", C, 5, _needs("gluten_free")),
    (MSHCP, Sector.NHS, "GP", C, 1, None),
    (MSHCP, Sector.NHS, "Community nurse", C, 5, None),
    (MSHCP, Sector.NHS, "Social prescribing link worker", X, None, None),
    (NHSKM, Sector.NHS, "Recruitment lead", C, 2, None),
    (KCC, Sector.COUNCIL, "Consultant in public health", C, 1, None),
    (KCC, Sector.COUNCIL, "Public health specialist", C, 5, None),
    (KCC, Sector.COUNCIL, "Social worker", C, 3, _needs(access="Hearing loop, please.")),
    (KCC, Sector.COUNCIL, "Commissioner, children's services", C, 3, None),
    (KCC, Sector.COUNCIL, "Strategic planning officer", C, 5, None),
    (KCC, Sector.COUNCIL, "Public health analyst", C, 1, None),
    ("Medway Council", Sector.COUNCIL, "Public health manager", C, 3, None),
    ("Medway Council", Sector.COUNCIL, "Children's wellbeing officer", C, 3, None),
    ("Medway Council", Sector.COUNCIL, "Housing officer", C, 5, _needs("halal")),
    ("Medway Council", Sector.COUNCIL, "Adult social care manager", C, 2, None),
    ("Dover District Council", Sector.COUNCIL, "Community development officer", C, 4, None),
    ("Dover District Council", Sector.COUNCIL, "Housing needs officer", C, 5, None),
    ("Sevenoaks District Council", Sector.COUNCIL, "Digital communications officer", C, 4, None),
    ("Sevenoaks District Council", Sector.COUNCIL, "Health and wellbeing officer", C, None, None),
    (
        "Ashford Borough Council",
        Sector.COUNCIL,
        "Housing strategy manager",
        C,
        5,
        _needs(access="A seat near an exit, please."),
    ),
    ("Ashford Borough Council", Sector.COUNCIL, "Community safety officer", C, 5, None),
    ("Kent Police", Sector.POLICE, "Inspector", C, 4, None),
    ("Kent Police", Sector.POLICE, "Police sergeant", C, 5, None),
    ("Kent Police", Sector.POLICE, "Mental health liaison officer", C, 3, None),
    ("Kent Police", Sector.POLICE, "Partnership officer", C, 5, _needs("vegan")),
    ("Kent Police", Sector.POLICE, "Police community support officer", C, None, None),
    ("Kent Police", Sector.POLICE, "Detective inspector", X, None, None),
    ("Healthwatch Kent", Sector.VCSE, "Engagement officer", C, 4, None),
    ("Healthwatch Kent", Sector.VCSE, "Volunteer coordinator", C, 2, None),
    (
        "Healthwatch Medway",
        Sector.VCSE,
        "Research officer",
        C,
        4,
        _needs(access="Large-print copies of any handouts."),
    ),
    ("Dads Unlimited", Sector.VCSE, "Independent domestic violence adviser", C, 5, None),
    ("Dads Unlimited", Sector.VCSE, "Service manager", C, 4, None),
    ("Rising Sun", Sector.VCSE, "Mentoring coordinator", C, 3, None),
    ("Rising Sun", Sector.VCSE, "Service manager", C, 5, None),
    ("Healthwatch Medway", Sector.VCSE, "Volunteer", C, 2, _needs("nut_allergy")),
    ("Dads Unlimited", Sector.VCSE, "Volunteer", C, None, None),
    ("Rising Sun", Sector.VCSE, "Trustee", C, 5, None),
    ("University of Kent", Sector.EDUCATION, "Lecturer in public health", C, 1, None),
    ("University of Kent", Sector.EDUCATION, "Research fellow", C, 5, None),
    (
        "Canterbury Christ Church University",
        Sector.EDUCATION,
        "Senior lecturer in nursing",
        C,
        2,
        None,
    ),
    (
        "Canterbury Christ Church University",
        Sector.EDUCATION,
        "Placement coordinator",
        C,
        2,
        _needs("other", details="No mushrooms."),
    ),
    ("University of Kent", Sector.EDUCATION, "PhD student", X, None, None),
    (HOMES, Sector.HOUSING, "Tenancy sustainment officer", C, 5, None),
    (HOMES, Sector.HOUSING, "Head of housing services", C, 5, None),
    (
        HOMES,
        Sector.HOUSING,
        "Supported housing manager",
        C,
        5,
        _needs(access="Wheelchair user: step-free seating, please."),
    ),
    (HOMES, Sector.HOUSING, "Community investment officer", C, 5, None),
    (OHID, Sector.OTHER, "Public health adviser", C, 1, None),
    (OHID, Sector.OTHER, "Mental health programme lead", C, 5, None),
    (SPN, Sector.OTHER, "Network member", C, 4, None),
    ("Better Mental Health Network", Sector.OTHER, "Network coordinator", C, 1, None),
    (SPN, Sector.OTHER, "Academic member", C, 5, None),
]

DELEGATES = [
    {
        "first_name": "Sample",
        "last_name": f"Delegate {number:02d}",
        "email": f"sample.delegate.{number:02d}@example.org",
        "organisation": organisation,
        "sector": sector,
        "job_title": job_title,
        "status": status,
        "theme": theme,
        "needs": needs,
    }
    for number, (organisation, sector, job_title, status, theme, needs) in enumerate(
        _DELEGATE_ROWS, start=1
    )
]

# The partner directory: the organisations and networks the seed articles name
# (../shared/seeds/), with Kent's twelve district councils ("district councils" in the
# ICS strategy; Dover, Sevenoaks and Ashford present). Delegates typing these are
# affiliated; the rest of the demo's delegates are left for the "to match" page.
BMHN = "Kent and Medway Better Mental Health Network"
SPNETWORK = "Kent and Medway Suicide Prevention Network"
PARTNER_NETWORKS = [
    {"name": BMHN, "website": ""},
    {"name": SPNETWORK, "website": ""},
]
_DISTRICTS = [
    "Ashford Borough Council",
    "Canterbury City Council",
    "Dartford Borough Council",
    "Dover District Council",
    "Folkestone and Hythe District Council",
    "Gravesham Borough Council",
    "Maidstone Borough Council",
    "Sevenoaks District Council",
    "Swale Borough Council",
    "Thanet District Council",
    "Tonbridge and Malling Borough Council",
    "Tunbridge Wells Borough Council",
]
PARTNERS = [
    {
        "name": NHSKM,
        "sector": Sector.NHS,
        "website": "https://www.kentandmedway.icb.nhs.uk",
        "aliases": ["Kent and Medway ICB", "NHS Kent and Medway ICB"],
        "networks": [BMHN, SPNETWORK],
    },
    {
        "name": KCC,
        "sector": Sector.COUNCIL,
        "website": "https://www.kent.gov.uk",
        "aliases": ["KCC"],
        "networks": [BMHN, SPNETWORK],
    },
    {
        "name": "Medway Council",
        "sector": Sector.COUNCIL,
        "website": "https://www.medway.gov.uk",
        "aliases": [],
        "networks": [BMHN, SPNETWORK],
    },
    *(
        {"name": name, "sector": Sector.COUNCIL, "website": "", "aliases": [], "networks": []}
        for name in _DISTRICTS
    ),
    {
        "name": "Kent Police",
        "sector": Sector.POLICE,
        "website": "https://www.kent.police.uk",
        "aliases": ["Kent Constabulary"],
        "networks": [BMHN, SPNETWORK],
    },
    {
        "name": "Healthwatch Kent",
        "sector": Sector.VCSE,
        "website": "",
        "aliases": [],
        "networks": [BMHN],
    },
    {
        "name": "Healthwatch Medway",
        "sector": Sector.VCSE,
        "website": "",
        "aliases": [],
        "networks": [BMHN],
    },
    {
        "name": MSHCP,
        "sector": Sector.NHS,
        "website": "",
        "aliases": [],
        "networks": [],
    },
    {
        "name": "Dads Unlimited",
        "sector": Sector.VCSE,
        "website": "",
        "aliases": [],
        "networks": [BMHN, SPNETWORK],
    },
    {
        "name": "Rising Sun",
        "sector": Sector.VCSE,
        "website": "",
        "aliases": ["Rising Sun Domestic Violence and Abuse Service"],
        "networks": [BMHN, SPNETWORK],
    },
]

ORGANISER_USERNAME = "organiser"
ORGANISER_EMAIL = "organiser@example.org"
ORGANISERS_GROUP = "Organisers"
DEFAULT_PASSWORD = "symposium-demo"

# Breakout outcomes (outcomes app): two themes' published, one awaiting review. The
# articles name the themes and the projects, not what each group concluded: these
# points, actions and pledges are illustrative, built from what the articles report.
# Actions: (description, owner organisation, days after the event it is due, may the
# organisation be named in public). Pledges: (text, organisation, may be named).
PUBLISHED, SUBMITTED = "published", "submitted"
OUTCOMES = [
    {
        "theme": 1,
        "status": PUBLISHED,
        "facilitator_email": "public.health.facilitator@example.org",
        "key_points": "Working together has already brought a 10.5 per cent increase in "
        "people having blood pressure checks: the group wants the same approach for other "
        "checks.\nJobs, debt and access to safe and green outdoor space shape health as much "
        "as services do; partners should plan for them together.",
        "actions": [
            (
                "Offer blood pressure checks at district council events and job fairs",
                NHSKM,
                120,
                True,
            ),
            (
                "Map green outdoor spaces that community groups can use for health walks",
                "Sevenoaks District Council",
                180,
                True,
            ),
            ("Add debt advice to the social prescribing offer", "Rising Sun", 90, False),
        ],
        "pledges": [
            (
                "Share our community projects' results on the Sevenoaks website",
                "Sevenoaks District Council",
                True,
            ),
            ("Train front-line staff to signpost people to debt advice", KCC, True),
        ],
    },
    {
        "theme": 5,
        "status": PUBLISHED,
        "facilitator_email": "housing.facilitator@example.org",
        "key_points": "Affordable housing helps prevent poor mental health.\nAshford's "
        "community-based health prevention service, linked to a housing scheme, is a model "
        "other districts could follow.",
        "actions": [
            (
                "Write up Ashford's health prevention service linked to its housing scheme "
                "for other districts",
                "Ashford Borough Council",
                60,
                True,
            ),
            ("Pilot a health check for new tenants", HOMES, 150, False),
        ],
        "pledges": [
            ("Give every tenancy officer mental health first aid training", HOMES, False),
        ],
    },
    {
        "theme": 3,
        "status": SUBMITTED,
        "facilitator_email": "children.facilitator@example.org",
        "key_points": "Improving mental wellbeing for children in Medway and children's "
        "health on the Isle of Sheppey: what worked, and how to share it.",
        "actions": [
            (
                "Share the Isle of Sheppey children's health findings with every district",
                MSHCP,
                90,
                True,
            ),
        ],
        "pledges": [],
    },
]
