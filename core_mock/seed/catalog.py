"""Fixed vocabularies for the seed: names, places, employers, merchants, demo customers."""

from dataclasses import dataclass
from datetime import date

from core_mock.enums import TransactionCategory as C

FIRST_NAMES_EN = tuple(
    "James Olivia Liam Emma Noah Ava Ethan Sophia Mason Isabella Lucas Mia Henry "
    "Charlotte Jack Amelia Owen Harper Samuel Grace Priya Kenji Fatima Tomasz Aisha "
    "Dmitri Mei Kwame Ingrid Ravi".split()
)
LAST_NAMES_EN = tuple(
    "Smith Johnson Brown Taylor Anderson Thomas Moore Martin Thompson White Clark "
    "Lewis Walker Hall Young King Wright Scott Green Baker Patel Nguyen Kim Kowalski "
    "Haddad Ivanova Tanaka Mensah".split()
)
FIRST_NAMES_ES = tuple(
    "Sofía Mateo Valentina Santiago Camila Sebastián Lucía Diego Martina Alejandro "
    "Gabriela Javier Elena Andrés Paula Carlos".split()
)
LAST_NAMES_ES = tuple(
    "García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres "
    "Flores Rivera Gómez Morales Jiménez Ruiz".split()
)
NICKNAMES = {
    "James": "Jim",
    "Samuel": "Sam",
    "Alejandro": "Alex",
    "Isabella": "Bella",
    "Dmitri": "Dima",
}

# (city, region, postal code prefix, telephone area code)
CITIES = (
    ("San Francisco", "CA", "941", "415"),
    ("Austin", "TX", "787", "512"),
    ("Chicago", "IL", "606", "312"),
    ("Miami", "FL", "331", "305"),
    ("Seattle", "WA", "981", "206"),
    ("Boston", "MA", "021", "617"),
    ("Denver", "CO", "802", "303"),
    ("San Antonio", "TX", "782", "210"),
)
STREETS = tuple(
    "Maple Street|Oak Avenue|Cedar Lane|Pine Road|Elm Street|Lakeview Drive|"
    "Hillcrest Avenue|Sunset Boulevard|Riverside Drive|Mission Street".split("|")
)
EMPLOYERS = tuple(
    "Northwind Logistics|Contoso Health|Fabrikam Engineering|Tailspin Airlines|"
    "Wide World Importers|Adventure Works|Blue Yonder Analytics|Lakeshore Schools".split("|")
)

# Spending merchants per category: (merchant, lowest, highest) in major units.
SPENDING_USD: dict[C, tuple[tuple[str, int, int], ...]] = {
    C.groceries: (
        ("Whole Harvest Market", 25, 160),
        ("FreshMart", 12, 95),
        ("Corner Grocer", 5, 40),
    ),
    C.dining: (("Blue Bottle Café", 4, 14), ("Luigi's Trattoria", 28, 95), ("Taco Fiesta", 9, 30)),
    C.transport: (("Metro Transit", 3, 30), ("RideNow", 9, 42), ("Shell Station", 30, 75)),
    C.shopping: (("Amazing Online", 15, 180), ("Target Home", 20, 140), ("Book Nook", 10, 45)),
    C.entertainment: (("StreamFlix", 15, 16), ("Cineplex 8", 12, 38), ("Spotlight Music", 10, 11)),
    C.health: (("CityCare Pharmacy", 8, 60), ("Bright Smile Dental", 60, 220)),
    C.travel: (("SkyHigh Airlines", 180, 650), ("Harbor Hotel", 140, 420)),
    C.cash: (("ATM Withdrawal", 20, 200),),
}
SPENDING_EUR: dict[C, tuple[tuple[str, int, int], ...]] = {
    C.groceries: (("Mercadona", 15, 110), ("Carrefour Express", 6, 45)),
    C.dining: (("Café de la Plaza", 3, 12), ("Taberna El Sur", 18, 70)),
    C.transport: (("Renfe", 8, 60), ("Cabify", 7, 30)),
    C.shopping: (("El Corte Inglés", 20, 160),),
}
# Expected purchases per month for each category, by account role.
DEBIT_CARD_MIX: dict[C, float] = {
    C.groceries: 5,
    C.dining: 3,
    C.transport: 4,
    C.shopping: 1,
    C.health: 0.5,
    C.cash: 1,
}
CREDIT_CARD_MIX: dict[C, float] = {
    C.dining: 4,
    C.shopping: 3,
    C.groceries: 2,
    C.entertainment: 2,
    C.travel: 0.3,
}
LIGHT_CARD_MIX: dict[C, float] = {C.dining: 3, C.entertainment: 1}
EURO_MIX: dict[C, float] = {C.groceries: 3, C.dining: 3, C.transport: 2, C.shopping: 0.5}

MISSING_DOCUMENTS = (
    "last 3 months of payslips",
    "proof of address dated within 3 months",
    "photo ID (passport or driving licence)",
    "last 2 years of tax returns",
)

AccountSpec = tuple[str, str, str, int | None]  # type, nickname, currency, credit limit (cents)


@dataclass(frozen=True)
class DemoCustomer:
    id: str
    first_name: str
    last_name: str
    preferred_name: str
    language: str
    segment: str
    date_of_birth: date
    email: str
    phone: str
    city: int  # index into CITIES
    income: int  # monthly, in cents
    employer: str
    accounts: tuple[AccountSpec, ...]
    card_style: str = "full"
    card_owed: int | None = None  # fixed amount owed on the card at the end of the history


# The named customers of the contract; their data is fixed (transactions still vary with --seed).
DEMO_CUSTOMERS = (
    DemoCustomer(
        "CUST-0001",
        "Alice",
        "Morgan",
        "Ali",
        "en",
        "retail",
        date(1988, 4, 12),
        "alice.morgan@example.com",
        "+14155550101",
        0,
        4200_00,
        "Northwind Logistics",
        accounts=(
            ("checking", "Everyday Checking", "USD", None),
            ("savings", "Rainy Day Savings", "USD", None),
            ("credit_card", "Cashback Visa", "USD", 5000_00),
        ),
    ),
    DemoCustomer(
        "CUST-0002",
        "Bruno",
        "Díaz",
        "Bruno",
        "es",
        "premier",
        date(1979, 9, 3),
        "bruno.diaz@example.com",
        "+13055550102",
        3,
        11500_00,
        "Tailspin Airlines",
        accounts=(
            ("checking", "Household Checking", "USD", None),
            ("checking", "Euro Checking", "EUR", None),
            ("savings", "Premier Savings", "USD", None),
        ),
    ),
    DemoCustomer(
        "CUST-0003",
        "Chen",
        "Wei",
        "Chen",
        "en",
        "retail",
        date(1992, 1, 27),
        "chen.wei@example.com",
        "+12065550103",
        4,
        3600_00,
        "Fabrikam Engineering",
        accounts=(
            ("checking", "Everyday Checking", "USD", None),
            ("credit_card", "Platinum Mastercard", "USD", 5000_00),
        ),
        card_style="carry",
        card_owed=4612_40,
    ),
    DemoCustomer(
        "CUST-0004",
        "Dana",
        "Okafor",
        "Dana",
        "en",
        "student",
        date(2004, 6, 18),
        "dana.okafor@example.com",
        "+15125550104",
        1,
        1150_00,
        "Campus Bookstore",
        accounts=(("checking", "Student Checking", "USD", None),),
    ),
)

# Demo applications: (reference, customer, product, amount, status path, notes, missing documents).
DEMO_APPLICATIONS = (
    (
        "APP-100001",
        "CUST-0001",
        "personal_loan",
        15000_00,
        ("submitted", "in_review", "documents_required"),
        ("Applied online", "Assigned to an underwriter", "Income needs to be verified"),
        ("last 3 months of payslips",),
    ),
    (
        "APP-100002",
        "CUST-0002",
        "mortgage",
        385000_00,
        ("submitted", "in_review"),
        ("Applied with advisor", "Property valuation booked"),
        (),
    ),
    (
        "APP-100003",
        "CUST-0003",
        "credit_card",
        None,
        ("submitted", "in_review", "approved"),
        ("Applied online", "Credit check passed", "Approved"),
        (),
    ),
    (
        "APP-100004",
        "CUST-0003",
        "personal_loan",
        8000_00,
        ("submitted", "in_review", "declined"),
        (
            "Applied online",
            "Assigned to an underwriter",
            "Declined: existing credit utilisation too high",
        ),
        (),
    ),
)
