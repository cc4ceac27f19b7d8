"""The errors groupql raises on purpose; each knows the `extensions.code` a client sees."""

from typing import ClassVar


class GroupQLError(Exception):
    """Base of every expected failure. The message is shown to clients: keep it short and useful."""

    code: ClassVar[str] = "INTERNAL"
    default_message: ClassVar[str] = "Something went wrong on our side; try again later."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self.args[0])


class Unauthenticated(GroupQLError):
    code = "UNAUTHENTICATED"
    default_message = "Log in first: send 'Authorization: Bearer <token>' from the login mutation."


class Forbidden(GroupQLError):
    code = "FORBIDDEN"
    default_message = "You are not allowed to do that."


class NotFound(GroupQLError):
    code = "NOT_FOUND"
    default_message = "Not found."


class BadUserInput(GroupQLError):
    code = "BAD_USER_INPUT"
    default_message = "The input is not valid."


class InvalidLoginCode(GroupQLError):
    code = "INVALID_LOGIN_CODE"
    default_message = "The login code is invalid or already used; call wx.login for a new one."


class InvalidEncryptedData(GroupQLError):
    code = "INVALID_ENCRYPTED_DATA"
    default_message = "encryptedData or iv is malformed; send them exactly as WeChat returned them."


class SessionKeyStale(GroupQLError):
    code = "SESSION_KEY_STALE"
    default_message = (
        "Could not decrypt with your session key: call wx.login and the login mutation again, "
        "then read the share info again and retry."
    )


class AppidMismatch(GroupQLError):
    code = "APPID_MISMATCH"
    default_message = "The encrypted data was made for another mini-program."


class PayloadExpired(GroupQLError):
    code = "PAYLOAD_EXPIRED"
    default_message = "The share info is too old (or from the future); read it again and retry."


class Banned(GroupQLError):
    code = "BANNED"
    default_message = "You are banned from this group."


class RateLimited(GroupQLError):
    code = "RATE_LIMITED"
    default_message = "Too many requests; wait a moment and retry."

    def __init__(self, message: str | None = None, *, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class WeChatUnavailable(GroupQLError):
    code = "WECHAT_UNAVAILABLE"
    default_message = "WeChat did not answer; retry with a new wx.login code shortly."


class Conflict(GroupQLError):
    code = "CONFLICT"
    default_message = "The request conflicts with the current state; reload and retry."


class Internal(GroupQLError):
    code = "INTERNAL"


class Unavailable(GroupQLError):
    code = "UNAVAILABLE"
    default_message = "The database did not answer in time; retry shortly."


class PersistedQueryNotFound(GroupQLError):
    code = "PERSISTED_QUERY_NOT_FOUND"
    # Apollo's clients recognise this exact message (older ones nothing else) and resend the
    # operation with its query.
    default_message = "PersistedQueryNotFound"


class UntrustedDocument(BadUserInput):
    default_message = (
        "Only trusted documents run here: send one of the operations this server lists, by its "
        "sha256Hash or its exact text."
    )


class UnsupportedMedia(GroupQLError):
    code = "UNSUPPORTED_MEDIA"
    default_message = "The file is not a kind groupql takes here (its bytes, not its name, say)."


class UploadExpired(GroupQLError):
    code = "UPLOAD_EXPIRED"
    default_message = "The upload ticket has expired or was used; ask for a new one."


class ContentRejected(GroupQLError):
    code = "CONTENT_REJECTED"
    default_message = (
        "WeChat's content check refused this text: change it (it may not be posted as it is)."
    )
