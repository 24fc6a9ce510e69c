"""Controlled vocabularies of contract schema v1: capabilities, languages, currencies."""

from __future__ import annotations

from types import MappingProxyType

#: The known capability names, each with a one-line description. A capability outside this
#: vocabulary is allowed but draws a warning with the closest known name as a suggestion.
CAPABILITY_DESCRIPTIONS = MappingProxyType(
    {
        "text_generation": "Generates free text from a prompt.",
        "chat_completion": "Answers in a multi-turn conversation.",
        "text_embedding": "Turns text into vector embeddings.",
        "image_generation": "Creates images from a description.",
        "image_understanding": "Describes or answers questions about images.",
        "code_generation": "Writes source code from a description.",
        "code_completion": "Completes partially written source code.",
        "code_review": "Reviews source code and suggests fixes.",
        "speech_to_text": "Transcribes spoken audio to text.",
        "text_to_speech": "Speaks text aloud as audio.",
        "translation": "Translates text between natural languages.",
        "summarization": "Condenses long text into a summary.",
        "classification": "Assigns labels or categories to input.",
        "sentiment_analysis": "Detects the sentiment of text.",
        "named_entity_recognition": "Finds people, places and other entities in text.",
        "question_answering": "Answers questions from given context.",
        "reranking": "Orders documents by relevance to a query.",
        "retrieval": "Finds relevant documents in a corpus.",
        "moderation": "Flags unsafe or policy-violating content.",
        "function_calling": "Chooses and calls tools or functions with arguments.",
        "structured_output": "Returns output that follows a given JSON schema.",
        "ocr": "Extracts text from images of documents.",
    }
)

#: The capability vocabulary as a tuple of names.
CAPABILITIES: tuple[str, ...] = tuple(CAPABILITY_DESCRIPTIONS)

#: ISO 639-1 two-letter language codes and their English names.
LANGUAGES = MappingProxyType(
    {
        "aa": "Afar", "ab": "Abkhazian", "ae": "Avestan", "af": "Afrikaans", "ak": "Akan",
        "am": "Amharic", "an": "Aragonese", "ar": "Arabic", "as": "Assamese", "av": "Avaric",
        "ay": "Aymara", "az": "Azerbaijani", "ba": "Bashkir", "be": "Belarusian",
        "bg": "Bulgarian", "bi": "Bislama", "bm": "Bambara", "bn": "Bengali", "bo": "Tibetan",
        "br": "Breton", "bs": "Bosnian", "ca": "Catalan", "ce": "Chechen", "ch": "Chamorro",
        "co": "Corsican", "cr": "Cree", "cs": "Czech", "cu": "Church Slavic", "cv": "Chuvash",
        "cy": "Welsh", "da": "Danish", "de": "German", "dv": "Divehi", "dz": "Dzongkha",
        "ee": "Ewe", "el": "Greek", "en": "English", "eo": "Esperanto", "es": "Spanish",
        "et": "Estonian", "eu": "Basque", "fa": "Persian", "ff": "Fulah", "fi": "Finnish",
        "fj": "Fijian", "fo": "Faroese", "fr": "French", "fy": "Western Frisian",
        "ga": "Irish", "gd": "Scottish Gaelic", "gl": "Galician", "gn": "Guarani",
        "gu": "Gujarati", "gv": "Manx", "ha": "Hausa", "he": "Hebrew", "hi": "Hindi",
        "ho": "Hiri Motu", "hr": "Croatian", "ht": "Haitian", "hu": "Hungarian",
        "hy": "Armenian", "hz": "Herero", "ia": "Interlingua", "id": "Indonesian",
        "ie": "Interlingue", "ig": "Igbo", "ii": "Sichuan Yi", "ik": "Inupiaq", "io": "Ido",
        "is": "Icelandic", "it": "Italian", "iu": "Inuktitut", "ja": "Japanese",
        "jv": "Javanese", "ka": "Georgian", "kg": "Kongo", "ki": "Kikuyu", "kj": "Kuanyama",
        "kk": "Kazakh", "kl": "Kalaallisut", "km": "Khmer", "kn": "Kannada", "ko": "Korean",
        "kr": "Kanuri", "ks": "Kashmiri", "ku": "Kurdish", "kv": "Komi", "kw": "Cornish",
        "ky": "Kyrgyz", "la": "Latin", "lb": "Luxembourgish", "lg": "Ganda",
        "li": "Limburgish", "ln": "Lingala", "lo": "Lao", "lt": "Lithuanian",
        "lu": "Luba-Katanga", "lv": "Latvian", "mg": "Malagasy", "mh": "Marshallese",
        "mi": "Maori", "mk": "Macedonian", "ml": "Malayalam", "mn": "Mongolian",
        "mr": "Marathi", "ms": "Malay", "mt": "Maltese", "my": "Burmese", "na": "Nauru",
        "nb": "Norwegian Bokmål", "nd": "North Ndebele", "ne": "Nepali", "ng": "Ndonga",
        "nl": "Dutch", "nn": "Norwegian Nynorsk", "no": "Norwegian", "nr": "South Ndebele",
        "nv": "Navajo", "ny": "Chichewa", "oc": "Occitan", "oj": "Ojibwa", "om": "Oromo",
        "or": "Oriya", "os": "Ossetian", "pa": "Punjabi", "pi": "Pali", "pl": "Polish",
        "ps": "Pashto", "pt": "Portuguese", "qu": "Quechua", "rm": "Romansh", "rn": "Rundi",
        "ro": "Romanian", "ru": "Russian", "rw": "Kinyarwanda", "sa": "Sanskrit",
        "sc": "Sardinian", "sd": "Sindhi", "se": "Northern Sami", "sg": "Sango",
        "si": "Sinhala", "sk": "Slovak", "sl": "Slovenian", "sm": "Samoan", "sn": "Shona",
        "so": "Somali", "sq": "Albanian", "sr": "Serbian", "ss": "Swati",
        "st": "Southern Sotho", "su": "Sundanese", "sv": "Swedish", "sw": "Swahili",
        "ta": "Tamil", "te": "Telugu", "tg": "Tajik", "th": "Thai", "ti": "Tigrinya",
        "tk": "Turkmen", "tl": "Tagalog", "tn": "Tswana", "to": "Tonga", "tr": "Turkish",
        "ts": "Tsonga", "tt": "Tatar", "tw": "Twi", "ty": "Tahitian", "ug": "Uyghur",
        "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "ve": "Venda", "vi": "Vietnamese",
        "vo": "Volapük", "wa": "Walloon", "wo": "Wolof", "xh": "Xhosa", "yi": "Yiddish",
        "yo": "Yoruba", "za": "Zhuang", "zh": "Chinese", "zu": "Zulu",
    }
)

#: ISO 4217 codes of the currencies in circulation (funds, precious metals and test codes
#: such as XAU or XXX are left out: they make no sense as a price).
CURRENCIES: frozenset[str] = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
    MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
    RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS
    TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF
    YER ZAR ZMW ZWG
    """.split()
)
