"""WeChat's message push: signed and encrypted as the fake WeChat makes it, read back to events."""

import base64
import json
from typing import Any

import pytest

from groupql.wechat.content_security import MediaCheckResult, Verdict
from groupql.wechat.push import (
    MAX_PUSH_BYTES,
    Delivery,
    PushEvent,
    PushKeys,
    PushRejected,
    SubscriptionChange,
    SubscriptionStatus,
    decrypt_push,
    encrypt_push,
    push_signature,
    read_push,
    verification_echo,
    verify_signature,
)
from tests.fakes.wechat import (
    FAKE_APPID,
    FAKE_ENCODING_AES_KEY,
    FAKE_PUSH_TOKEN,
    FakeWeChat,
    push_request,
)

# The sample of Tencent's WXBizMsgCrypt SDK (Sample.py, "测试解密接口"): a message pushed in
# compatible mode, with its msg_signature and the plaintext it decrypts to.
SAMPLE_TOKEN = "spamtest"
SAMPLE_ENCODING_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SAMPLE_APPID = "wx2c2769f8efd9abc2"
SAMPLE_TIMESTAMP = "1409735669"
SAMPLE_NONCE = "1320562132"
SAMPLE_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PG"
    "HQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6"
    "tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp"
    "3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhv"
    "Ql+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)
SAMPLE_RANDOM_PREFIX = b"89465c840c5f116f"
SAMPLE_PLAINTEXT = (
    b"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n"
    b"<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n"
    b"<CreateTime>1409735668</CreateTime>\n"
    b"<MsgType><![CDATA[text]]></MsgType>\n"
    b"<Content><![CDATA[abcdteT]]></Content>\n"
    b"<MsgId>6054768590064713728</MsgId>\n"
    b"</xml>"
)

PLAIN = PushKeys(token=FAKE_PUSH_TOKEN, appid=FAKE_APPID)
SAFE = PushKeys(token=FAKE_PUSH_TOKEN, appid=FAKE_APPID, encoding_aes_key=FAKE_ENCODING_AES_KEY)
OPENID = "o7esq5OI1Uej6Xixw1lA2H7XDVbc"
TEMPLATE_A = "hD-ixGOhYmUfjOnI8MCzQMPshzGVeux_2vzyvQu7O68"
TEMPLATE_B = "9nLIlbOQZC5Y89AZteFEux3WCXRRRG5Wfzkpssu4bLI"


def popup(*entries: dict[str, str] | list[dict[str, str]]) -> dict[str, Any]:
    """A subscribe_msg_popup_event as WeChat's JSON has it; one entry is a bare object."""
    return {
        "ToUserName": "gh_123456789abc",
        "FromUserName": OPENID,
        "CreateTime": "1620973045",
        "MsgType": "event",
        "Event": "subscribe_msg_popup_event",
        "List": entries[0] if len(entries) == 1 else list(entries),
    }


def choice(template_id: str, status: str) -> dict[str, str]:
    return {"TemplateId": template_id, "SubscribeStatusString": status, "PopupScene": "0"}


def test_tencent_sample_decrypts_to_its_published_message() -> None:
    message = decrypt_push(
        SAMPLE_ENCRYPT, encoding_aes_key=SAMPLE_ENCODING_AES_KEY, appid=SAMPLE_APPID
    )

    assert message == SAMPLE_PLAINTEXT


def test_tencent_sample_msg_signature_is_reproduced() -> None:
    signature = push_signature(SAMPLE_TOKEN, SAMPLE_TIMESTAMP, SAMPLE_NONCE, SAMPLE_ENCRYPT)

    assert signature == SAMPLE_MSG_SIGNATURE


def test_encrypting_the_tencent_sample_reproduces_its_ciphertext() -> None:
    encrypt = encrypt_push(
        SAMPLE_PLAINTEXT,
        encoding_aes_key=SAMPLE_ENCODING_AES_KEY,
        appid=SAMPLE_APPID,
        random_prefix=SAMPLE_RANDOM_PREFIX,
    )

    assert encrypt == SAMPLE_ENCRYPT


def test_tencent_sample_push_is_a_message_with_nothing_to_do() -> None:
    body = (
        b"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
        b"<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>"
        b"<CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        b"<Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId>"
        b"<Encrypt><![CDATA[" + SAMPLE_ENCRYPT.encode() + b"]]></Encrypt></xml>"
    )
    params = {
        "timestamp": SAMPLE_TIMESTAMP,
        "nonce": SAMPLE_NONCE,
        "msg_signature": SAMPLE_MSG_SIGNATURE,
        "encrypt_type": "aes",
    }
    keys = PushKeys(SAMPLE_TOKEN, SAMPLE_APPID, SAMPLE_ENCODING_AES_KEY)

    event = read_push(body, params, keys)

    assert event == PushEvent(
        openid="oyORnuP8q7ou2gfYjqLzSIWZf0rs", event="", create_time=1409735668
    )


def test_signature_is_checked_against_the_token() -> None:
    signature = push_signature(FAKE_PUSH_TOKEN, "1700000000", "nonce-1")

    assert verify_signature(FAKE_PUSH_TOKEN, "1700000000", "nonce-1", signature)
    assert not verify_signature("another-token", "1700000000", "nonce-1", signature)
    assert not verify_signature(FAKE_PUSH_TOKEN, "1700000001", "nonce-1", signature)
    assert not verify_signature(FAKE_PUSH_TOKEN, "1700000000", "nonce-1", "签名")


def test_url_check_is_answered_with_the_echostr_only_when_signed() -> None:
    _, params = push_request(popup(choice(TEMPLATE_A, "accept")))

    assert verification_echo(FAKE_PUSH_TOKEN, params | {"echostr": "echo-123"}) == "echo-123"
    assert verification_echo("another-token", params | {"echostr": "echo-123"}) is None
    assert verification_echo(FAKE_PUSH_TOKEN, {"echostr": "echo-123"}) is None


def test_popup_with_one_template_lists_it_as_an_object_in_json() -> None:
    body, params = push_request(popup(choice(TEMPLATE_A, "accept")))
    assert b'"List": {' in body

    event = read_push(body, params, PLAIN)

    assert event == PushEvent(
        openid=OPENID,
        event="subscribe_msg_popup_event",
        create_time=1620973045,
        subscriptions=(SubscriptionChange(TEMPLATE_A, SubscriptionStatus.ACCEPT),),
    )


def test_popup_with_several_templates_lists_them_as_an_array_in_json() -> None:
    body, params = push_request(popup(choice(TEMPLATE_A, "accept"), choice(TEMPLATE_B, "reject")))

    assert read_push(body, params, PLAIN).subscriptions == (
        SubscriptionChange(TEMPLATE_A, SubscriptionStatus.ACCEPT),
        SubscriptionChange(TEMPLATE_B, SubscriptionStatus.REJECT),
    )


@pytest.mark.parametrize("keys", [PLAIN, SAFE], ids=["plain", "safe"])
def test_popup_in_xml_has_one_list_element_per_template(keys: PushKeys) -> None:
    body, params = push_request(
        popup(choice(TEMPLATE_A, "accept"), choice(TEMPLATE_B, "reject")),
        body_format="xml",
        encoding_aes_key=keys.encoding_aes_key,
    )

    event = read_push(body, params, keys)

    assert event.create_time == 1620973045
    assert event.subscriptions == (
        SubscriptionChange(TEMPLATE_A, SubscriptionStatus.ACCEPT),
        SubscriptionChange(TEMPLATE_B, SubscriptionStatus.REJECT),
    )


def test_wechats_documented_xml_popup_is_read() -> None:
    body = b"""<xml>
    <ToUserName><![CDATA[gh_123456789abc]]></ToUserName>
    <FromUserName><![CDATA[otFpruAK8D-E6EfStSYonYSBZ8_4]]></FromUserName>
    <CreateTime>1610969440</CreateTime>
    <MsgType><![CDATA[event]]></MsgType>
    <Event><![CDATA[subscribe_msg_popup_event]]></Event>
    <SubscribeMsgPopupEvent>
        <List>
            <TemplateId><![CDATA[VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc]]></TemplateId>
            <SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString>
            <PopupScene>2</PopupScene>
        </List>
        <List>
            <TemplateId><![CDATA[9nLIlbOQZC5Y89AZteFEux3WCXRRRG5Wfzkpssu4bLI]]></TemplateId>
            <SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString>
            <PopupScene>2</PopupScene>
        </List>
    </SubscribeMsgPopupEvent>
</xml>"""
    _, params = push_request({})

    event = read_push(body, params, PLAIN)

    assert event.openid == "otFpruAK8D-E6EfStSYonYSBZ8_4"
    assert [change.status for change in event.subscriptions] == [
        SubscriptionStatus.ACCEPT,
        SubscriptionStatus.REJECT,
    ]


@pytest.mark.parametrize("body_format", ["json", "xml"])
def test_user_turning_a_template_off_is_a_reject(body_format: Any) -> None:
    message = popup(choice(TEMPLATE_A, "reject")) | {
        "Event": "subscribe_msg_change_event",
        "CreateTime": 1625575518,
    }
    body, params = push_request(
        message, body_format=body_format, encoding_aes_key=SAFE.encoding_aes_key
    )

    event = read_push(body, params, SAFE)

    assert (event.event, event.create_time) == ("subscribe_msg_change_event", 1625575518)
    assert event.subscriptions == (SubscriptionChange(TEMPLATE_A, SubscriptionStatus.REJECT),)


@pytest.mark.parametrize("body_format", ["json", "xml"])
def test_sent_event_tells_what_became_of_a_message(body_format: Any) -> None:
    message = {
        "ToUserName": "gh_123456789abc",
        "FromUserName": OPENID,
        "CreateTime": "1620963428",
        "MsgType": "event",
        "Event": "subscribe_msg_sent_event",
        "List": {
            "TemplateId": TEMPLATE_A,
            "MsgID": "1864323726461255680",
            "ErrorCode": "0",
            "ErrorStatus": "success",
        },
    }
    body, params = push_request(message, body_format=body_format)

    event = read_push(body, params, PLAIN)

    assert event.subscriptions == ()
    assert event.deliveries == (Delivery(TEMPLATE_A, "1864323726461255680", 0, "success"),)


def test_event_we_do_not_use_is_read_with_nothing_to_do() -> None:
    message = {
        "ToUserName": "gh_123456789abc",
        "FromUserName": OPENID,
        "CreateTime": 1700000000,
        "MsgType": "event",
        "Event": "user_authorization_revoke",
        "RevokeInfo": "1",
    }
    body, params = push_request(message)

    assert read_push(body, params, PLAIN) == PushEvent(
        OPENID, "user_authorization_revoke", 1700000000
    )


@pytest.mark.parametrize("body_format", ["json", "xml"])
@pytest.mark.parametrize(
    ("suggest", "label", "verdict"),
    [
        ("pass", 100, Verdict.PASS),
        ("review", 21000, Verdict.REVIEW),
        ("risky", 20002, Verdict.RISKY),
    ],
)
def test_media_check_verdict_is_read_in_safe_mode(
    body_format: Any, suggest: str, label: int, verdict: Verdict
) -> None:
    message = FakeWeChat().media_verdict("690b03d2-301f6111-35ffbd44", suggest, label)
    body, params = push_request(
        message, body_format=body_format, encoding_aes_key=FAKE_ENCODING_AES_KEY
    )
    assert b"690b03d2" not in body

    event = read_push(body, params, SAFE)

    assert event.event == "wxa_media_check"
    assert event.media_check == MediaCheckResult(
        trace_id="690b03d2-301f6111-35ffbd44", verdict=verdict, label=label, appid=FAKE_APPID
    )
    assert (event.subscriptions, event.deliveries) == ((), ())


def test_media_check_as_wechat_documents_it_in_xml_is_read() -> None:
    # A push as WeChat sent it (Senparc's test sample): one <detail> per strategy, the verdict
    # that counts in <result>.
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<xml>
  <ToUserName><![CDATA[gh_6e306981e699]]></ToUserName>
  <FromUserName><![CDATA[oeaTy0Ej7xM_LexOCWGeJtL4ABoE]]></FromUserName>
  <CreateTime>1659967849</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[wxa_media_check]]></Event>
  <appid><![CDATA[wx12b4f63276b14d4c]]></appid>
  <trace_id><![CDATA[62f11967-2b24d27a-34715985]]></trace_id>
  <version>2</version>
  <detail>
    <strategy><![CDATA[content_model]]></strategy>
    <errcode>0</errcode>
    <suggest><![CDATA[risky]]></suggest>
    <label>20002</label>
    <prob>90</prob>
  </detail>
  <errcode>0</errcode>
  <errmsg><![CDATA[ok]]></errmsg>
  <result>
    <suggest><![CDATA[pass]]></suggest>
    <label>100</label>
  </result>
</xml>
"""
    _, params = push_request({})

    event = read_push(body, params, PLAIN)

    assert event.create_time == 1659967849
    assert event.media_check == MediaCheckResult(
        "62f11967-2b24d27a-34715985", Verdict.PASS, 100, "wx12b4f63276b14d4c"
    )


def test_media_check_label_given_as_a_string_is_read() -> None:
    message = FakeWeChat().media_verdict("trace-1", "risky") | {
        "result": {"suggest": "risky", "label": "20001"}
    }
    body, params = push_request(message)

    assert read_push(body, params, PLAIN).media_check == MediaCheckResult(
        "trace-1", Verdict.RISKY, 20001, FAKE_APPID
    )


@pytest.mark.parametrize(
    "change",
    [{"errcode": -1008}, {"result": {"suggest": "maybe", "label": 100}}, {"result": "pass"}],
    ids=["download-failed", "unknown-suggest", "result-not-an-object"],
)
def test_media_check_without_a_usable_verdict_is_unknown(change: dict[str, Any]) -> None:
    body, params = push_request(FakeWeChat().media_verdict("trace-1") | change)

    media_check = read_push(body, params, PLAIN).media_check

    assert media_check is not None
    assert (media_check.trace_id, media_check.verdict) == ("trace-1", Verdict.UNKNOWN)


@pytest.mark.parametrize("trace_id", [None, "", "t" * 129], ids=["missing", "empty", "too-long"])
def test_media_check_without_a_trace_id_is_refused(trace_id: str | None) -> None:
    message = FakeWeChat().media_verdict("trace-1") | {"trace_id": trace_id}
    if trace_id is None:
        del message["trace_id"]
    body, params = push_request(message)

    with pytest.raises(PushRejected, match="trace_id"):
        read_push(body, params, PLAIN)


def test_status_other_than_accept_or_reject_is_ignored() -> None:
    body, params = push_request(popup(choice(TEMPLATE_A, "ban"), choice(TEMPLATE_B, "accept")))

    assert read_push(body, params, PLAIN).subscriptions == (
        SubscriptionChange(TEMPLATE_B, SubscriptionStatus.ACCEPT),
    )


@pytest.mark.parametrize("body_format", ["json", "xml"])
def test_safe_mode_push_round_trips(body_format: Any) -> None:
    body, params = push_request(
        popup(choice(TEMPLATE_A, "accept")),
        body_format=body_format,
        encoding_aes_key=FAKE_ENCODING_AES_KEY,
    )
    assert TEMPLATE_A.encode() not in body

    event = read_push(body, params, SAFE)

    assert event.subscriptions == (SubscriptionChange(TEMPLATE_A, SubscriptionStatus.ACCEPT),)


def test_push_encrypted_for_another_app_is_refused() -> None:
    body, params = push_request(
        popup(choice(TEMPLATE_A, "accept")),
        encoding_aes_key=FAKE_ENCODING_AES_KEY,
        appid="wxsomeotherapp0000",
    )

    with pytest.raises(PushRejected, match="another mini-program"):
        read_push(body, params, SAFE)


def test_push_encrypted_with_another_key_is_refused() -> None:
    other_key = base64.b64encode(bytes(range(32))).decode()[:-1]
    body, params = push_request(popup(choice(TEMPLATE_A, "accept")), encoding_aes_key=other_key)

    with pytest.raises(PushRejected, match="decrypt"):
        read_push(body, params, SAFE)


def test_tampered_ciphertext_fails_its_msg_signature() -> None:
    body, params = push_request(
        popup(choice(TEMPLATE_A, "accept")), encoding_aes_key=FAKE_ENCODING_AES_KEY
    )
    envelope = json.loads(body)
    envelope["Encrypt"] = encrypt_push(
        json.dumps(popup(choice(TEMPLATE_B, "accept"))).encode(),
        encoding_aes_key=FAKE_ENCODING_AES_KEY,
        appid=FAKE_APPID,
    )

    with pytest.raises(PushRejected, match="msg_signature"):
        read_push(json.dumps(envelope).encode(), params, SAFE)


@pytest.mark.parametrize(
    "params",
    [
        {"signature": "0" * 40, "timestamp": "1700000000", "nonce": "fake-nonce"},
        {"timestamp": "1700000000", "nonce": "fake-nonce"},
        {},
    ],
    ids=["wrong", "missing", "no-query"],
)
def test_plain_push_without_a_valid_signature_is_refused(params: dict[str, str]) -> None:
    body, _ = push_request(popup(choice(TEMPLATE_A, "accept")))

    with pytest.raises(PushRejected, match="signature"):
        read_push(body, params, PLAIN)


def test_plain_push_is_refused_when_safe_mode_is_configured() -> None:
    body, params = push_request(popup(choice(TEMPLATE_A, "accept")))

    with pytest.raises(PushRejected, match="safe mode"):
        read_push(body, params, SAFE)


def test_encrypted_push_is_refused_without_an_encoding_aes_key() -> None:
    body, params = push_request(
        popup(choice(TEMPLATE_A, "accept")), encoding_aes_key=FAKE_ENCODING_AES_KEY
    )

    with pytest.raises(PushRejected, match="EncodingAESKey"):
        read_push(body, params, PLAIN)


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;">]><xml><FromUserName>&lol2;</FromUserName></xml>',
        b'<!doctype xml SYSTEM "file:///etc/passwd"><xml/>',
        b'<xml><!ENTITY x "y"></xml>',
    ],
    ids=["entity-expansion", "external-dtd", "stray-entity"],
)
def test_xml_with_a_dtd_is_refused_even_when_signed(body: bytes) -> None:
    _, params = push_request({})

    with pytest.raises(PushRejected, match="DTD"):
        read_push(body, params, PLAIN)


def test_body_over_64_kib_is_refused() -> None:
    message = popup(choice(TEMPLATE_A, "accept")) | {"Padding": "x" * MAX_PUSH_BYTES}
    body, params = push_request(message)

    with pytest.raises(PushRejected, match="too large"):
        read_push(body, params, PLAIN)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b"<xml><unclosed></xml>", b"event=popup", b"\xff\xfe<xml/>"],
    ids=["bad-json", "json-array", "bad-xml", "form", "not-utf8"],
)
def test_malformed_body_is_refused(body: bytes) -> None:
    _, params = push_request({})

    with pytest.raises(PushRejected):
        read_push(body, params, PLAIN)


@pytest.mark.parametrize(
    "change",
    [
        {"List": []},
        {"List": "accept"},
        {"List": {"SubscribeStatusString": "accept"}},
        {"List": {"TemplateId": "t" * 129, "SubscribeStatusString": "accept"}},
        {"FromUserName": ""},
    ],
    ids=["empty-list", "list-a-string", "no-template-id", "template-id-too-long", "no-openid"],
)
def test_malformed_subscription_event_is_refused(change: dict[str, Any]) -> None:
    body, params = push_request(popup(choice(TEMPLATE_A, "accept")) | change)

    with pytest.raises(PushRejected):
        read_push(body, params, PLAIN)


@pytest.mark.parametrize(
    "key",
    ["", "too-short", "x" * 44, "!" * 43, base64.b64encode(bytes(24)).decode()],
    ids=["empty", "short", "44-chars", "not-base64", "aes-192-sized"],
)
def test_unusable_encoding_aes_key_is_a_configuration_error(key: str) -> None:
    with pytest.raises(ValueError, match="EncodingAESKey"):
        encrypt_push(b"{}", encoding_aes_key=key, appid=FAKE_APPID)


def test_push_keys_keep_their_secrets_out_of_repr() -> None:
    assert FAKE_PUSH_TOKEN not in repr(SAFE)
    assert FAKE_ENCODING_AES_KEY not in repr(SAFE)
    assert FAKE_APPID in repr(SAFE)
