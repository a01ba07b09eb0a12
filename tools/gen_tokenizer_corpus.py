#!/usr/bin/env python3
"""Writes tests/data/tokenizer/corpus.jsonl: the texts the tokenizer golden test encodes.

One JSON object per line, {"text": ...} (JSONL, so tabs, newlines and any Unicode are
representable). The texts are written here by hand, plus a few systematic families (whitespace
combinations, number formats, long words, a sample of Unicode blocks). Deterministic: running it
again gives the same file. tools/gen_tokenizer_fixtures.py then asks Hugging Face for the ids.
"""
import json
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "tokenizer", "corpus.jsonl")

PROSE = [
    "Hello world",
    "The capital of France is Paris.",
    "Paris is the capital and most populous city of France.",
    "The quick brown fox jumps over the lazy dog.",
    "It was the best of times, it was the worst of times, it was the age of wisdom.",
    "Call me Ishmael. Some years ago—never mind how long precisely—I thought I would sail about.",
    "In the beginning God created the heaven and the earth.",
    "To be, or not to be, that is the question:",
    "All happy families are alike; each unhappy family is unhappy in its own way.",
    "The President of the French Republic lives in the Élysée Palace.",
    "Machine learning models are trained on large amounts of data.",
    "Transformers use self-attention to relate every token to every other token.",
    "YOSO approximates attention with Bernoulli sampling based on locality sensitive hashing.",
    "She sells sea shells by the sea shore.",
    "A journey of a thousand miles begins with a single step.",
    "The mitochondria is the powerhouse of the cell.",
    "Water boils at 100 degrees Celsius at sea level.",
    "Mount Everest is the highest mountain above sea level on Earth.",
    "He said, \"I'll be back,\" and left the room without another word.",
    "\"Why?\" she asked. \"Because,\" he replied.",
    "The U.S.A. and the U.K. signed the agreement on Jan. 5th.",
    "Dr. Smith, Mr. Jones and Mrs. Brown met at 5 p.m. on Friday.",
    "E.g., i.e., etc., vs., cf. are common Latin abbreviations.",
    "Once upon a time, in a land far, far away, there lived a king.",
    "The committee will reconvene after lunch; please be on time.",
    "Photosynthesis converts light energy into chemical energy.",
    "Neural networks, despite their name, are only loosely inspired by the brain.",
    "The stock market fell sharply on Monday, erasing last week's gains.",
    "Please find attached the report for Q3 2023.",
    "Where is the nearest train station?",
    "I can't believe it's already December!",
    "Nobody expects the Spanish Inquisition!",
    "This sentence has trailing spaces.   ",
    "   This sentence has leading spaces.",
    "UPPERCASE WORDS ARE TOKENIZED DIFFERENTLY FROM lowercase words.",
    "CamelCaseIdentifiersLikeThisOne and snake_case_identifiers_like_this_one.",
    "The word 'quoted' and the word \"double-quoted\" appear here.",
    "Semi-colons; colons: dashes - and en–dashes and em—dashes.",
    "He scored 3 goals in the 2nd half.",
    "Roses are red,\nViolets are blue.",
    "First line\nSecond line\nThird line",
    "Column A\tColumn B\tColumn C",
    "Bullet points:\n- one\n- two\n- three",
    "The year 1984 was the title of Orwell's novel.",
    "Einstein's E = mc^2 is the most famous equation.",
    "The Eiffel Tower was completed in 1889 for the World's Fair.",
    "Shakespeare wrote 37 plays and 154 sonnets.",
    "Jupiter is the largest planet in the Solar System.",
    "Tokyo, Delhi, Shanghai, São Paulo and Mexico City are among the largest cities.",
    "The meeting is at 10:30 a.m. in room 4B.",
    "I love New York.",
    "Berlin is the capital of Germany, and Rome is the capital of Italy.",
    "Madrid is the capital of Spain.",
    "The French Revolution began in 1789.",
    "the lowercase start of a sentence",
    "a",
    "I",
    ".",
    "Hello",
    " Hello",
    "Hello ",
    "hello world",
    "HELLO WORLD",
    "Hello, World!",
]

CONTRACTIONS = [
    "I'm sure you're right, but we've been wrong before.",
    "Don't, won't, can't, shouldn't, wouldn't, couldn't.",
    "They'll come if she'd ask; he'd come too.",
    "It's John's book, not Mary's.",
    "I'M SHOUTING, DON'T YOU HEAR?",
    "We'Re MiXeD CaSe'S",
    "y'all'd've",
    "'tis the season",
    "rock 'n' roll",
    "The '90s were great.",
    "She said 'hello' and 'goodbye'.",
    "O'Neil and O'Brien went to McDonald's.",
    "don’t use curly apostrophes’s",
    "can't''t",
    "'s't're've'm'll'd",
    "' s ' t",
    "it 's separated",
    "I've got 99 problems.",
    "you'll, you'd, you're, you've",
    "what's what",
    "ma'am",
    "Rock'n'roll",
    "'",
    "''",
    "'''quoted'''",
]

NUMBERS = [
    "1234567890",
    "3.14159265358979",
    "1,000,000",
    "$5.99",
    "€100 and £200 and ¥300",
    "10% off",
    "1st 2nd 3rd 4th",
    "12:30pm",
    "1e-10 and 6.022e23",
    "+1 (555) 123-4567",
    "2024-01-15T10:30:00Z",
    "0x1F 0b1010 0o777",
    "IV, IX, XL, MCMLXXXIV",
    "１２３４５ fullwidth digits",
    "٠١٢٣٤٥٦٧٨٩ Arabic-Indic digits",
    "x² + y³ = z¹",
    "½ ¼ ¾ ⅓",
    "१२३ Devanagari digits",
    "-42 and +42 and ±42",
    "3/4 cup of flour and 2 1/2 tsp",
    "100000000000000000000000000000",
    "v1.2.3-beta.4",
    "192.168.0.1:8080",
    "9 out of 10",
    "007",
]

PUNCTUATION = [
    "!!!???",
    "...",
    "Wait... what?!",
    "—",
    "--",
    "(((nested)))",
    "@#$%^&*",
    "<<<>>>",
    "::",
    "https://www.example.com/path?query=1&other=two#anchor",
    "user.name+tag@example.co.uk",
    "def f(x): return x ** 2  # square",
    "if (a && b || !c) { return -1; }",
    "**bold** and _italic_ and `code`",
    "<div class=\"x\">text</div>",
    "[link](http://example.org)",
    "#hashtag @mention",
    "¿Qué? ¡Sí!",
    "«guillemets» „German quotes“ ‚single‘",
    "~~~===+++",
    "a.b.c.d",
    "(a)(b)[c]{d}",
    "C:\\Users\\name\\file.txt",
    "/usr/local/bin/python3",
    "😀!!!",
]

WHITESPACE = [
    "",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "a  b",
    "a   b",
    "a\tb",
    "a\t\tb",
    "a\nb",
    "a\n\nb",
    "a\r\nb",
    "a \t b",
    "a\t b",
    "a \nb",
    "a\n b",
    "  leading two",
    "trailing two  ",
    "a\u00a0b non-breaking space",
    "a\u3000b ideographic space",
    "a\u2002b en space",
    "a\u2028b line separator",
    "a\u2029b paragraph separator",
    "a\u000bb vertical tab",
    "a\u000cb form feed",
    "a\u0085b next line",
    "a\u180eb mongolian vowel separator",
    "a\u200bb zero width space",
    "  \t \n  \r\n ",
    "word \n\n\n word",
    "end with newline\n",
    "end with tab\t",
    "\n\nstart with newlines",
    "x" + " " * 20 + "y",
    "x" + "\t" * 10 + "y",
]

ACCENTS = [
    "café résumé naïve façade",
    "Crème brûlée à la française",
    "Müller, Größe, Straße, Ärger",
    "El niño comió piñata en España.",
    "São Paulo, João, ação, coração",
    "Tiếng Việt có nhiều dấu thanh.",
    "Zażółć gęślą jaźń",
    "İstanbul, ılık, ğüşöç",
    "Ångström, Øresund, Æble",
    "cafe\u0301 with a combining acute accent",
    "e\u0301e\u0300e\u0302e\u0308 combining marks",
    "Ḁḁ Ḃḃ Ḉḉ Ḕḕ",
    "Dvořák, Janáček, Smetana",
    "Þórr, Óðinn, Freyja",
    "Ελληνικά: αβγδε ΑΒΓΔΕ",
    "Ñandú Ñoño",
    "Ωmega and ω",
    "ﬁ ﬂ ligatures",
    "Å vs A\u030a",
    "naïve coöperate",
]

CJK = [
    "你好，世界！",
    "我爱北京天安门。",
    "巴黎是法国的首都。",
    "日本語のテキストです。",
    "東京は日本の首都です。",
    "ひらがなとカタカナ",
    "안녕하세요 세계",
    "한국어 문장입니다.",
    "中文English混合text",
    "「引用」『二重引用』",
    "全角スペース　を含む",
    "ｶﾀｶﾅ halfwidth katakana",
    "漢字かな交じり文",
    "繁體中文與简体中文",
    "𠀀𠀁𠀂 CJK extension B",
    "一二三四五六七八九十",
    "。、！？",
    "(株)ＡＢＣ",
    "東京2020オリンピック",
    "北京 上海 广州 深圳",
]

EMOJI = [
    "👍",
    "I love it 😍😍😍",
    "👨‍👩‍👧‍👦 family",
    "🇺🇸 🇫🇷 🇯🇵 flags",
    "👋🏽 waving with skin tone",
    "1️⃣ 2️⃣ keycaps",
    "❤️ red heart with variation selector",
    "🏳️‍🌈 rainbow flag",
    "👩🏻‍💻 technologist",
    "🧑‍🤝‍🧑",
    "🙂🙃😉",
    "emoji:🔥in the middle",
    "☕ coffee ☀ sun",
    "©®™",
    "🚀🚀🚀🚀🚀🚀🚀🚀",
    "😀 😀",
    "a😀b",
    "🤷‍♂️",
    "🇪🇺",
    "✔️✅❌",
]

RTL = [
    "مرحبا بالعالم",
    "اللغة العربية جميلة.",
    "باريس هي عاصمة فرنسا",
    "שלום עולם",
    "עברית היא שפה שמית.",
    "سلام دنیا",
    "English with עברית inside",
    "العدد 123 هنا",
    "\u200fRTL mark\u200f and \u200eLTR mark\u200e",
    "\u202bembedding\u202c",
    "ﷺ ligature",
    "אָלֶף with niqqud",
    "مَرْحَبًا with harakat",
    "Mixed: שלום, مرحبا, hello.",
    "اردو زبان",
]

OTHER_SCRIPTS = [
    "Привет, мир!",
    "Москва — столица России.",
    "नमस्ते दुनिया",
    "สวัสดีชาวโลก",
    "გამარჯობა",
    "Բարեւ աշխարհ",
    "ሰላም ልዑል",
    "வணக்கம் உலகம்",
    "∀x ∈ ℝ: x² ≥ 0",
    "∑∫∂√∞≈≠≤≥",
    "ᠮᠣᠩᠭᠣᠯ\u180eᠪᠢᠴᠢᠭ Mongolian",
    "zero\u200bwidth\u200cnon\u200djoiner\ufeffbom",
    "control\u0001chars\u0007here\u001f",
    "soft\u00adhyphen",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters 𝟏𝟐𝟑",
    "Ⅻ roman numeral symbols ⅷ",
    "ꦗꦮ Javanese",
    "\U0001F600\U0001F4A9\U0001F9E0",
    "\ue000 private use \U000f0000",
    "\ufffd replacement char",
    "ᚠᚢᚦᚨᚱᚲ runes",
    "Ⓐⓑⓒ ①②③",
    "\u2060word\u2060joiner",
    "tab\u0009and\u000bvt",
    "nul\u0000inside",
]

LONG = [
    "a" * 300,
    "Pneumonoultramicroscopicsilicovolcanoconiosis",
    "Supercalifragilisticexpialidocious " * 3,
    "https://example.com/" + "/".join("segment%d" % i for i in range(40)),
    "0123456789abcdef" * 20,
    "ab" * 700,
    "9" * 500,
    "!?" * 200,
    "😀" * 60,
    "漢" * 200,
    "x" * 5000,
    "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft",
    " " * 300 + "end",
    "word " * 400,
]

SPECIALS = [
    "<s>",
    "</s>",
    "<pad>",
    "<unk>",
    "<mask>",
    "<s>Hello</s>",
    "<s> Hello </s>",
    "Hello</s><s>world",
    "<|endoftext|>",
    "madeupword0000 madeupword0001",
    "<S> </S> <MASK> <Mask>",
    "< mask >",
    "<mask",
    "mask>",
    "<<mask>>",
    "<mask><mask>",
    "<pad><pad><pad>",
    "<unk> token",
    "x<s>y",
    "<s><s></s></s>",
    "text with <pad> in it",
    "<masks> and <mask_token>",
]

MASKS = [
    "The capital of France is <mask>.",
    "Paris is the <mask> of France.",
    "<mask> is the capital of France.",
    "The <mask> of the French <mask> is <mask>.",
    "Hello <mask> world",
    "Hello  <mask> world",
    "Hello   <mask>",
    "Hello\t<mask>",
    "Hello\n<mask>",
    "Hello \t\n <mask>",
    "Hello\u00a0<mask> (no-break space before)",
    "Hello\u3000<mask> (ideographic space before)",
    "Hello\u2003<mask> (em space before)",
    "Hello<mask>",
    "<mask>world",
    "<mask> ",
    "<mask>  ",
    " <mask>",
    "   <mask>",
    "x <mask> <mask> y",
    "a<mask>b<mask>c",
    "(<mask>)",
    "\"<mask>\"",
    "I'm <mask>'s friend.",
    "It costs $<mask>.",
    "Hello\u180e<mask> (mongolian vowel separator is not white space)",
    "Hello\u200b<mask> (zero width space is not white space)",
]

BRACKET_MASKS = [
    "Paris is the [MASK] of France.",
    "[MASK]",
    "  [MASK]",
    "[MASK][MASK]",
    "The [MASK] sat on the [MASK].",
    "Hello\t[MASK] world",
    "a[MASK]b",
    "[MASK] is here",
    "[mask] lowercase is plain text",
    "[MASK ] is plain text",
    "[[MASK]]",
    "<mask> and [MASK] together",
    "[MASK]<mask>",
    "[MASK]s",
    "Hello [MASK] world [MASK]",
]


def systematic():
    """Families generated from small pieces: whitespace around words, punctuation runs, and a
    sample of many Unicode blocks (every 97th code point of the BMP's assigned-ish ranges)."""
    out = []
    pieces = ["a", "1", "!", "é", "漢", "😀", "'s"]
    spaces = [" ", "  ", "\t", "\n", " \n", "\n ", "\u00a0"]
    for p in pieces:
        for s in spaces:
            out.append(f"{p}{s}{p}{s}")
    rng = random.Random(1234)
    alphabet = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                " .,;:!?'\"-()[]{}<>/@#$%^&*_+=~`|\\\t\néüß漢字😀")
    for _ in range(40):
        n = rng.randint(5, 80)
        out.append("".join(rng.choice(alphabet) for _ in range(n)))
    # space-like and invisible code points in every context the split regex distinguishes
    # (PCRE2 and Oniguruma disagree on U+180E: it must not count as white space)
    for c in [0x09, 0x0B, 0x1C, 0x85, 0xA0, 0xAD, 0x1680, 0x180E, 0x2000, 0x2007, 0x200B,
              0x200D, 0x2028, 0x202F, 0x205F, 0x2060, 0x3000, 0xFEFF]:
        ch = chr(c)
        out.append(f"a{ch}a {ch}1{ch}!{ch} {ch}  {ch}\t{ch}x{ch}{ch} '{ch} {ch}{ch}")
    # what the mask's lstrip absorbs: White_Space (Rust's \s) yes; U+001C..U+001F (Python's
    # isspace), U+180E, U+200B, U+2060, U+FEFF no
    for c in [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x180E, 0x2000,
              0x200A, 0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x2060, 0x3000, 0xFEFF]:
        out.append(f"x{chr(c)}<mask>{chr(c)}y {chr(c)}{chr(c)}[MASK]")
    cps = [c for c in range(0x20, 0x3000, 97)] + [c for c in range(0xA000, 0xFFFD, 97)]
    cps = [c for c in cps if not 0xD800 <= c <= 0xDFFF]
    for i in range(0, len(cps), 40):
        out.append(" ".join(chr(c) for c in cps[i:i + 40]))
    return out


def main():
    texts = (PROSE + CONTRACTIONS + NUMBERS + PUNCTUATION + WHITESPACE + ACCENTS + CJK + EMOJI +
             RTL + OTHER_SCRIPTS + LONG + SPECIALS + MASKS + BRACKET_MASKS + systematic())
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        for t in texts:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    print(f"wrote {len(texts)} texts to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
