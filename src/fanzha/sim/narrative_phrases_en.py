"""English phrasebook of victim reports, written for fanzha.

Story sentences carry no digits, dates or amounts (those come from the facts) and no CJK characters. App names
(Chinese in the simulation) are never written in English reports.
"""

from __future__ import annotations

from fanzha.model import AgeBand, IdentifierKind, Language, PaymentRail
from fanzha.sim.narrative_book import FraudScript, Phrasebook

K = IdentifierKind

SCRIPTS: dict[str, FraudScript] = {
    "brushing_rebate": FraudScript(
        names=("a task scam", "an online job scam", "a fake part-time job"),
        openings=(
            "Someone messaged me offering a part-time job liking videos from home",
            "I was added to a group chat where they paid commission for simple online tasks",
            "I got a text about a work-from-home job paying daily",
        ),
        steps=(
            "At first I just liked and followed accounts and they paid me a small commission",
            "The first few tasks paid back my money plus commission",
            "Then the receptionist said I had a combo task and had to top up my account first",
            "They said I could only withdraw after finishing the whole set of tasks",
            "Everyone in the group was posting screenshots of their earnings",
        ),
        pressure=(
            "On the last task they said I made an error and my account was frozen until I paid more",
            "They told me I needed to pay again to unlock the commission",
        ),
        realised=(
            "Then they blocked me and the group disappeared",
            "I could never withdraw anything and realised it was a scam",
        ),
        tips=(
            "Someone is recruiting people for paid like-and-follow tasks in group chats",
            "I keep getting texts about a task job that pays commission, it looks like a scam",
        ),
    ),
    "fake_investment": FraudScript(
        names=("an investment scam", "a fake trading platform", "a crypto investment scam"),
        openings=(
            "I joined a stock tips group run by a so-called teacher",
            "A person I met online told me about a guaranteed investment platform",
            "I saw an ad for an investment course and was added to a chat group",
        ),
        steps=(
            "The mentor gave us insider tips and told us to buy on their platform",
            "My small first investment showed big profits and I could withdraw a little",
            "The platform showed my account growing every day so I put in more",
            "Their customer service said there was a limited chance to buy new shares",
        ),
        pressure=(
            "When I tried to withdraw they said I had to pay a deposit and tax first",
            "They said my account was frozen for suspicious activity and I had to pay to unfreeze it",
        ),
        realised=(
            "Even after paying I could not withdraw and the website stopped working",
            "The mentor disappeared and the group was closed",
        ),
        tips=(
            "There is a group promoting a fake trading platform with unrealistic returns",
            "My friend put money into this platform and cannot get it out",
        ),
        mentions={
            K.URL: ("The trading platform was at {id}", "They sent me a registration link {id}"),
            K.CRYPTO_WALLET: ("They told me to send USDT to the wallet address {id}",),
        },
    ),
    "fake_investment.pig_butchering": FraudScript(
        names=("a romance investment scam", "pig butchering"),
        openings=("I met a very kind man on a dating app and we talked every day for weeks",),
        steps=("He said his uncle worked at the platform and knew how to make sure profits",),
    ),
    "fake_investment.crypto": FraudScript(
        names=("a crypto scam",),
        steps=("They told me to buy USDT from a dealer and deposit it on their exchange",),
    ),
    "brushing_rebate.like_follow": FraudScript(
        names=("a paid likes scam",),
        openings=("A stranger offered to pay me for every video I liked and every account I followed",),
    ),
    "brushing_rebate.advance_payment": FraudScript(
        names=("an order brushing scam",),
        steps=(
            "I had to buy the products with my own money first and they promised to refund it with commission",
        ),
    ),
    "brushing_rebate.part_time": FraudScript(
        names=("a part-time job scam",),
        openings=("I was looking for part-time work online as a stay-at-home mum",),
    ),
    "fake_investment.stock_tips": FraudScript(
        names=("a stock tips group",),
        openings=("I joined a free stock picks group after seeing an ad",),
    ),
    "fake_shopping": FraudScript(
        names=("an online shopping scam", "a fake seller"),
        openings=(
            "I found a cheap designer bag for sale on social media",
            "I wanted to buy a second-hand phone and the seller asked to deal outside the platform",
            "Someone was selling concert tickets in a group chat",
        ),
        steps=(
            "The seller asked me to pay by direct transfer to avoid fees",
            "After I paid they said I also had to pay shipping insurance",
            "They sent me a fake tracking number",
        ),
        realised=(
            "Nothing ever arrived and the seller stopped replying",
            "The seller deleted me after I paid",
        ),
        tips=("Someone is selling cheap phones and asking for payment outside the platform",),
    ),
    "fake_shopping.tickets": FraudScript(
        names=("fake concert tickets",),
        openings=("I could not get concert tickets and a reseller said he could get them from inside",),
    ),
    "fake_shopping.goods": FraudScript(names=("goods that never came",)),
    "fake_customer_service": FraudScript(
        names=("a fake customer service call", "a refund scam"),
        openings=(
            "I got a call from someone claiming to be courier customer service saying my parcel was lost",
            "A caller said he was from an online shop and wanted to refund me for a faulty item",
            "Someone said I had signed up for a paid insurance service by mistake and needed to cancel it",
            "Someone called pretending to be from a big online store and said an expensive order was placed on my "
            "account that they would refund",
            "A man said he was from the airline, my flight had been cancelled and I was owed compensation",
            "I searched online for the shop's customer service number and called the first result",
            "A caller said my shopping account had been upgraded to a paid membership by mistake",
            "A text said my parcel was held at the depot until I paid a small redelivery fee through a link",
        ),
        steps=(
            "He knew my name and my order details, so I believed him",
            "He asked me to install a meeting app and share my screen",
            "He said the refund needed me to verify my account first",
            "He asked me to read out the verification code I received",
            "He told me to download a remote access app so he could process the refund",
            "He said too much had been refunded by mistake and I had to send the difference back",
            "He asked me to open my banking app while he watched my screen",
            "He told me to take out a loan in an app so that the refund could go through",
            "He said I had to buy gift cards to reverse the charge",
        ),
        pressure=("Then he said I made a mistake and had to transfer again to get everything back",),
        realised=(
            "I called the real customer service and they had never contacted me",
            "The refund never came and the number stopped answering",
            "When I checked my orders on the real website there was no such order",
            "My bank told me a real company would never ask me to move money",
        ),
        tips=(
            "A caller pretending to be courier customer service asked for my bank details",
            "This number calls people claiming to cancel an insurance service",
            "Someone posing as a delivery company called my father about a refund and asked him to install an app",
        ),
        mentions={K.PHONE: ("The so-called customer service number was {id}", "They called me from {id}")},
    ),
    "fake_customer_service.refund": FraudScript(
        names=("a fake refund",),
        steps=("He said the compensation would first go into a reserve account in my name",),
    ),
    "fake_customer_service.membership": FraudScript(
        names=("a fake membership cancellation",),
        openings=(
            "A caller said my live-streaming membership would renew every month unless he cancelled it",
        ),
    ),
    "fake_loan": FraudScript(
        names=("a loan scam", "a fake loan"),
        openings=(
            "I needed money urgently and saw an ad for fast loans with no checks",
            "I got a message saying I was pre-approved for a loan",
        ),
        steps=(
            "They said my card number was entered wrong and the loan was frozen",
            "They asked me to pay an unfreezing fee before the money could be released",
            "They said my bank statement was not enough and I had to show more money",
        ),
        realised=("The loan never arrived and they stopped answering",),
        tips=("This site offers loans but asks for fees up front",),
    ),
    "fake_loan.unfreeze_fee": FraudScript(names=("a loan unfreezing fee scam",)),
    "fake_credit": FraudScript(
        names=("a credit record scam", "a fake credit repair call"),
        openings=(
            "Someone called saying I had an old student loan account that would hurt my credit record",
            "A caller claimed to be from a financial regulator and said my credit record had problems",
        ),
        steps=(
            "He told me to borrow from several loan apps and move the money to a verification account",
            "He said the money would be returned after verification",
        ),
        realised=("I checked my credit report and there was never any problem",),
        tips=(
            "Someone called about cancelling a student loan account to protect my credit, it sounded fake",
        ),
        mentions={K.PHONE: ("The caller used {id}", "The number that called me was {id}")},
    ),
    "fake_credit.student_loan": FraudScript(names=("a student loan cancellation scam",)),
    "impersonate_acquaintance": FraudScript(
        names=("someone pretending to be my boss", "a fake friend"),
        openings=(
            "Someone added me using my manager's name and photo",
            "A person claiming to be an old classmate contacted me",
        ),
        steps=(
            "He said he was in a meeting and asked me to pay a partner urgently",
            "He promised to pay me back later that day",
            "He sent a screenshot of a transfer to me that never arrived",
        ),
        realised=("When I called my real manager he knew nothing about it",),
        tips=("Someone is impersonating our manager and asking staff to transfer money",),
        mentions={K.QQ: ("He added me on {id}",), K.WECHAT: ("He added me on {id}",)},
    ),
    "impersonate_acquaintance.boss": FraudScript(names=("a fake boss",)),
    "impersonate_acquaintance.friend": FraudScript(
        names=("a fake relative",),
        openings=("Someone said he was my cousin with a new number and asked me to save it",),
    ),
    "impersonate_authority": FraudScript(
        names=("someone pretending to be the police", "a fake police call"),
        openings=(
            "A man called saying a parcel in my name contained illegal items",
            "Someone claiming to be a police officer said I was involved in money laundering",
            "A caller said my social insurance card had been used illegally",
        ),
        steps=(
            "He transferred me to an officer who showed me an arrest warrant with my photo",
            "They said the case was secret and I must not tell my family",
            "They told me to move my savings to a safe account for checking",
            "They said the money would be returned once I was cleared",
        ),
        realised=(
            "My son told me the police never do this and brought me to the station",
            "When I called back the number did not exist",
        ),
        tips=("This number calls old people pretending to be the police and threatening arrest",),
        mentions={K.PHONE: ("The fake officer called from {id}", "The number was {id}")},
    ),
    "impersonate_authority.money_laundering": FraudScript(names=("a fake money laundering investigation",)),
    "impersonate_authority.medical_insurance": FraudScript(
        names=("a fake social insurance call",),
        openings=(
            "A caller said my medical insurance card had been used in another city and would be frozen",
        ),
    ),
    "romance": FraudScript(
        names=("a romance scam", "an online dating scam"),
        openings=(
            "I met a man on a dating site who said he worked abroad",
            "I matched with a woman on a dating app and we talked every day",
        ),
        steps=(
            "He said he sent me a gift but customs needed a fee",
            "She said she made a lot of money on a website and wanted me to try it too",
            "He never agreed to a video call",
        ),
        realised=("Then I was blocked everywhere", "I found out the photos were stolen from someone else"),
        tips=("This person uses dating apps to get people to invest or gamble",),
        mentions={
            K.WECHAT: ("We moved to WeChat, his ID is {id}",) if False else ("We kept talking on {id}",)
        },
    ),
    "romance.gambling_site": FraudScript(
        names=("a romance gambling scam",),
        steps=("He said he found a loophole in a betting site and we could not lose if I followed his bets",),
    ),
    "game_trading": FraudScript(
        names=("a game trading scam", "a fake game account sale"),
        openings=(
            "Someone in a game offered cheap items",
            "I wanted to sell my game account and a buyer contacted me",
        ),
        steps=(
            "He said we should use a trading website to be safe",
            "The website said my account was frozen and I had to pay a deposit",
        ),
        realised=("I never got the account and the seller deleted me",),
        tips=("Someone in the game sends people to a fake trading website",),
    ),
    "game_trading.account_sale": FraudScript(names=("a game account sale",)),
    "other_fraud": FraudScript(
        names=("a prize scam", "a phishing text", "a fake job offer", "a rental scam"),
        openings=(
            "Someone told me I won a prize but had to pay a fee first",
            "I got a text saying I had an unpaid road toll and had to pay through a link",
            "I answered a job advert and they wanted me to pay for training and a uniform first",
            "Someone offered to recover the money I had lost to another scam, for a fee",
            "A landlord advertised a flat online and asked for a deposit before any viewing",
            "After a video call with a stranger they threatened to send the recording to my friends unless I paid",
        ),
        steps=(
            "They said it would be sorted quickly once I paid",
            "The link asked for my card details and the code my bank sent me",
            "After I paid they asked for another fee for taxes",
        ),
        realised=(
            "After I paid they disappeared",
            "Then my card was charged for purchases I never made",
            "The real company said they had never sent that message",
        ),
        tips=(
            "This number keeps calling people about fake prizes",
            "This text about an unpaid toll is going round my whole street",
        ),
    ),
    "not_fraud": FraudScript(
        names=("Just a question", "Not a scam report, just checking", "I want to check something"),
        openings=(
            "I bought something online and it was not as described, the shop will not refund me",
            "I typed the wrong account when transferring money and sent it to a stranger",
            "A renovation company took my deposit and keeps delaying the work",
            "My landlord will not return my deposit because of normal wear and tear",
            "My bike was stolen from outside my flat",
            "A friend borrowed money from me months ago and still has not paid it back",
            "The gym keeps charging my card after I cancelled my membership",
            "My employer has not paid my wages for last month",
            "I lost my wallet on the train and need a police report for the insurance",
        ),
        steps=(
            "The platform said I have to go through after-sales",
            "I am not sure if this counts as fraud",
            "They have not disappeared, they just keep putting it off",
            "I have the contract and all our messages",
            "Nobody asked me for codes or to move money",
            "My bank said they can contact the other bank but cannot force the money back",
        ),
        realised=(
            "The officer said it is a civil matter and I can go to the small claims court",
            "In the end the shop took it back and the money went back to my card",
            "I just want to know who to take this to",
        ),
        tips=(
            "My bank texted a reminder that my card bill is due and the amount matched my banking app",
            "I got a delivery text with no link, just the time slot, and the parcel came",
            "Our local police gave a talk about scams at the community centre",
        ),
    ),
}

MENTIONS: dict[IdentifierKind, tuple[str, ...]] = {
    K.PHONE: ("Their number is {id}", "The caller's number was {id}", "They called from {id}", "phone {id}"),
    K.WECHAT: ("They added me on {id}", "The contact was {id}", "I was told to add {id}"),
    K.QQ: ("They used {id}", "I was told to add {id}", "Contact: {id}"),
    K.URL: ("They sent me a link {id}", "the link: {id}", "I registered on the website {id}"),
    K.DOMAIN: ("the website {id}", "They told me to visit {id}", "the site {id}", "They said go to {id}"),
    K.CRYPTO_WALLET: ("They gave me a wallet address {id}", "USDT address {id}"),
    K.BANK_ACCOUNT: (
        "The account number was {id}", "Their bank account: {id}", "I paid into their {bank} card {id}",
        "account no. {id}",
    ),
}  # fmt: skip

INNOCENT: dict[str, tuple[str, ...]] = {
    "bank_hotline": (
        "I wanted to call {id} to check with {name}",
        "Then I did call {id}, my bank's hotline",
        "I called {id} and {name} said they could not stop it",
    ),
    "telco_service": ("I tried to call {id} about it",),
    "government_hotline": ("I also wanted to call {id} to complain",),
    "platform": ("I checked my orders on {id}", "They said they were from {id}", "I bought it on {id}"),
    "meeting_app": (),
    "hospital": ("I called the hospital on {id} to check", "I rang {id}, the hospital, first"),
    "courier_outlet": ("I called the parcel point on {id}", "The courier outlet, {id}, had no parcel for me"),
    "city_service": ("I called {id} to ask", "I also rang {id} for advice"),
    "platform_service": (
        "I called the platform's service line {id}",
        "Their service line {id} had no such order",
    ),
}

INNOCENT["small_platform"] = INNOCENT["platform"]

BOOK = Phrasebook(
    language=Language.EN,
    scripts=SCRIPTS,
    mentions=MENTIONS,
    innocent=INNOCENT,
    rails={
        PaymentRail.BANK_TRANSFER: ("by bank transfer", "through my banking app", ""),
        PaymentRail.THIRD_PARTY: ("with Alipay", "through WeChat Pay", "by QR code"),
        PaymentRail.CRYPTO: ("to buy USDT", "via a crypto dealer"),
        PaymentRail.CASH: ("in cash",),
    },
    paid=(
        "{time} I transferred {amount} {via}",
        "{time} I sent {amount} {via}",
        "I paid {amount} {time} {via}",
        "{time} I sent them another {amount}",
    ),
    paid_again=("Then I sent {amount} more", "After that another {amount}", "I paid {amount} again"),
    paid_untimed=("I transferred {amount} {via}", "I sent {amount}", "I paid them {amount}"),
    paid_to_card=(
        "{time} I sent {amount} to card {card}",
        "{time} I transferred {amount} to account number {card}",
    ),
    paid_total=(
        "In total I made {n} payments, {total} altogether",
        "I lost {total} in total",
        "Altogether {total}",
    ),
    lead=("I have been scammed out of {total}.", "Please help, I lost {total} to {name}.", "I lost {total}."),
    short=("I was scammed, {name}", "Reporting {name}", "{name}"),
    fear=(
        "I am so scared",
        "I cannot sleep",
        "That was all my savings",
        "I have not told my family",
        "I feel so stupid",
        "Please help me",
    ),
    pleas=(
        "Please help me get my money back",
        "Please freeze their account",
        "Can you please look into this",
        "Please help",
    ),
    tip_openers=("I want to report a scam", "Reporting a suspicious number", "Anonymous tip"),
    tip_closers=("I did not pay anything", "Please warn others", "Please check this"),
    voice={
        AgeBand.UNDER_18: ("I am still at school and used my mum's phone",),
        AgeBand.A18_25: ("I am a student and this was my living money",),
        AgeBand.A60_PLUS: ("I am not good with phones and just did what they said",),
    },
    typos=(
        ("received", "recieved"),
        ("transferred", "transfered"),
        ("I ", "i "),
        ("didn't", "didnt"),
        ("their", "there"),
    ),
    bank_names={
        "ICBC": "ICBC",
        "CCB": "CCB",
        "ABC": "Agricultural Bank",
        "BOC": "Bank of China",
        "BOCOM": "Bank of Communications",
        "CMB": "China Merchants Bank",
        "PSBC": "Postal Savings Bank",
        "CIB": "Industrial Bank",
        "PAB": "Ping An Bank",
    },
    platform_names={"10086": "China Mobile", "10010": "China Unicom", "10000": "China Telecom"},
    omitted={
        K.PHONE: ("I did not save the number",),
        K.BANK_ACCOUNT: ("Their card number ended in {tail}",),
        K.APP: ("They made me install an app which I have since deleted",),
        K.URL: ("The website no longer opens",),
    },
    holder=(),
    sentence_end=(". ", ". ", ". ", "! ", ".\n"),
    clause=", ",
    space=" ",
    unnamed_bank="bank",
)
"""The English phrasebook."""
