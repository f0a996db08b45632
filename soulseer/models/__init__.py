"""Database models. Each area adds a module; importing this package registers them all."""

import soulseer.ledger.models  # noqa: F401  (the ledger keeps its tables in its own package)
from soulseer.models.account_token import AccountToken, TokenPurpose
from soulseer.models.agreement import AgreementAcceptance
from soulseer.models.application import ApplicationStatus, ReaderApplication
from soulseer.models.audit import AuditEntry
from soulseer.models.booking import (
    AvailabilityOverride,
    AvailabilityRule,
    Booking,
    BookingReminder,
    BookingSettings,
    BookingState,
    CalendarFeed,
)
from soulseer.models.community import CommunityCategory, CommunityPost, CommunityThread
from soulseer.models.content import ContentPage
from soulseer.models.email import OutboundEmail
from soulseer.models.marketplace import Favourite, ReaderProfile, ReaderStatus, Specialty, reader_profile_specialties
from soulseer.models.message import Conversation, Message
from soulseer.models.moderation import Flag, ItemState, Moderatable, ModerationItem, ScreeningHit
from soulseer.models.notification import Notification, OnlineNotificationRequest
from soulseer.models.payments import StripeEvent, StripeEventStatus, Topup, TopupStatus
from soulseer.models.payouts import Payout, PayoutAccount, PayoutStatus, PayoutTrigger
from soulseer.models.reading import Reading, ReadingEvent, ReadingMessage, ReadingMode, ReadingState
from soulseer.models.review import Review
from soulseer.models.shop import (
    DownloadGrant,
    FulfilmentStatus,
    Order,
    OrderItem,
    OrderRefund,
    PaymentStatus,
    Product,
    ProductKind,
    ProductStatus,
)
from soulseer.models.stream import (
    Gift,
    RestrictionKind,
    Stream,
    StreamGift,
    StreamInvitation,
    StreamKind,
    StreamMessage,
    StreamReminder,
    StreamRestriction,
    StreamState,
    StreamTicket,
    TicketState,
)
from soulseer.models.user import Role, User, UserStatus

__all__ = [
    "DownloadGrant",
    "FulfilmentStatus",
    "Order",
    "OrderItem",
    "OrderRefund",
    "PaymentStatus",
    "Product",
    "ProductKind",
    "ProductStatus",
    "AccountToken",
    "AgreementAcceptance",
    "ApplicationStatus",
    "AuditEntry",
    "AvailabilityOverride",
    "AvailabilityRule",
    "Booking",
    "BookingReminder",
    "BookingSettings",
    "CalendarFeed",
    "BookingState",
    "CommunityCategory",
    "CommunityPost",
    "CommunityThread",
    "ContentPage",
    "Conversation",
    "Favourite",
    "Flag",
    "ItemState",
    "Message",
    "Moderatable",
    "ModerationItem",
    "Notification",
    "OnlineNotificationRequest",
    "OutboundEmail",
    "Payout",
    "PayoutAccount",
    "PayoutStatus",
    "PayoutTrigger",
    "ReaderApplication",
    "ReaderProfile",
    "ReaderStatus",
    "Reading",
    "ReadingEvent",
    "ReadingMessage",
    "ReadingMode",
    "ReadingState",
    "Review",
    "Role",
    "ScreeningHit",
    "Gift",
    "RestrictionKind",
    "Stream",
    "StreamGift",
    "StreamInvitation",
    "StreamKind",
    "StreamMessage",
    "StreamReminder",
    "StreamRestriction",
    "StreamState",
    "StreamTicket",
    "TicketState",
    "Specialty",
    "StripeEvent",
    "StripeEventStatus",
    "TokenPurpose",
    "Topup",
    "TopupStatus",
    "User",
    "UserStatus",
    "reader_profile_specialties",
]
