# ruff: noqa: E501
"""The words of the policy's safe replies, per language, written for this project.

Each crisis reply follows the clinician-written VERA-MH rubric: it says it is
an AI, acknowledges what the person said without judging or minimising, asks
directly about suicidal thoughts and about safety right now (without pulling
for a "no"), encourages reaching a person now (a 24/7 line, someone they trust,
a professional, emergency services when in danger, being with someone and
putting distance between themselves and anything they could use to hurt
themselves), and keeps the conversation open. It gives no method, means or
location details, promises no secrecy and imposes no promise.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LANGUAGES", "PHRASES", "Phrases"]


@dataclass(frozen=True)
class Phrases:
    """The sentences of the safe replies in one language."""

    ai: str
    ack: dict[str, str]
    ask: dict[str, str]
    reach: str
    danger: str
    resources_intro: str
    open: str
    output_blocked: str
    line_format: str = "- {name}: {contact} ({hours})"
    emergency_format: str = "- {emergency_label}: {emergency}"
    emergency_label: str = "Emergency"


_EN = Phrases(
    ai="I'm an AI, not a person, and I'm really glad you told me.",
    ack={
        "suicidal_ideation": "It sounds like you're carrying a lot of pain right now, and what you're feeling matters.",
        "self_harm": "Hurting yourself tells me how much you're going through, and you deserve care, not judgement.",
        "harm_to_others": "It sounds like you're overwhelmed by anger and pain right now.",
        "abuse": "I'm so sorry this is happening to you. It is not your fault, and you deserve to be safe.",
        "medical_emergency": "What you describe could be a medical emergency.",
    },
    ask={
        "suicidal_ideation": "Are you having thoughts of ending your life? Are you safe right now?",
        "self_harm": "Are you hurt right now, and are you having thoughts of ending your life?",
        "harm_to_others": "Is anyone in danger right now, including you?",
        "abuse": "Are you safe right now?",
        "medical_emergency": "Please call {emergency} now or ask someone near you to get you to an emergency department. "
        "Is someone with you?",
    },
    reach="Please reach out to a person now: one of the lines below, or someone you trust who can be with you. "
    "A doctor or mental health professional can help with this too.",
    danger="If you are in immediate danger, call {emergency}. If you can, stay with someone and put distance "
    "between yourself and anything you could use to hurt yourself.",
    resources_intro="You can talk to someone right now, free:",
    open="I'm here and we can keep talking. If calling feels hard, I can help you think about what to say.",
    output_blocked="I can't help with that. I'm an AI, and I care about your safety. If you're thinking about hurting "
    "yourself or someone else, please talk to a person now:",
)

_ES = Phrases(
    ai="Soy una IA, no una persona, y me alegra mucho que me lo hayas contado.",
    ack={
        "suicidal_ideation": "Parece que estás cargando con mucho dolor ahora mismo, y lo que sientes importa.",
        "self_harm": "Hacerte daño muestra todo lo que estás pasando, y mereces cuidado, no juicios.",
        "harm_to_others": "Parece que ahora mismo te desborda la rabia y el dolor.",
        "abuse": "Siento mucho que te esté pasando esto. No es culpa tuya y mereces estar a salvo.",
        "medical_emergency": "Lo que describes puede ser una emergencia médica.",
    },
    ask={
        "suicidal_ideation": "¿Estás pensando en quitarte la vida? ¿Estás a salvo ahora mismo?",
        "self_harm": "¿Estás herido o herida ahora mismo, y tienes pensamientos de quitarte la vida?",
        "harm_to_others": "¿Hay alguien en peligro ahora mismo, incluido tú?",
        "abuse": "¿Estás a salvo ahora mismo?",
        "medical_emergency": "Por favor, llama ahora al {emergency} o pide a alguien que te lleve a urgencias. "
        "¿Hay alguien contigo?",
    },
    reach="Por favor, habla ahora con una persona: una de las líneas de abajo, o alguien de confianza que pueda "
    "estar contigo. Un médico o un profesional de salud mental también puede ayudarte.",
    danger="Si estás en peligro inmediato, llama al {emergency}. Si puedes, quédate con alguien y aléjate de "
    "cualquier cosa que pudieras usar para hacerte daño.",
    resources_intro="Puedes hablar con alguien ahora mismo, gratis:",
    open="Estoy aquí y podemos seguir hablando. Si llamar te cuesta, puedo ayudarte a pensar qué decir.",
    output_blocked="No puedo ayudarte con eso. Soy una IA y me importa tu seguridad. Si estás pensando en hacerte "
    "daño o hacer daño a alguien, por favor habla ahora con una persona:",
    emergency_label="Emergencias",
)

_PT = Phrases(
    ai="Eu sou uma IA, não uma pessoa, e fico muito feliz que você me contou.",
    ack={
        "suicidal_ideation": "Parece que você está carregando muita dor agora, e o que você sente importa.",
        "self_harm": "Se machucar mostra o quanto você está passando, e você merece cuidado, não julgamento.",
        "harm_to_others": "Parece que você está tomado pela raiva e pela dor agora.",
        "abuse": "Sinto muito que isso esteja acontecendo com você. Não é culpa sua, e você merece estar em segurança.",
        "medical_emergency": "O que você descreve pode ser uma emergência médica.",
    },
    ask={
        "suicidal_ideation": "Você está pensando em tirar a sua vida? Você está em segurança agora?",
        "self_harm": "Você está machucado agora, e está tendo pensamentos de tirar a sua vida?",
        "harm_to_others": "Alguém está em perigo agora, incluindo você?",
        "abuse": "Você está em segurança agora?",
        "medical_emergency": "Por favor, ligue agora para {emergency} ou peça a alguém para te levar a um pronto-socorro. "
        "Tem alguém com você?",
    },
    reach="Por favor, fale agora com uma pessoa: um dos serviços abaixo, ou alguém de confiança que possa ficar "
    "com você. Um médico ou profissional de saúde mental também pode ajudar.",
    danger="Se você estiver em perigo imediato, ligue para {emergency}. Se puder, fique com alguém e se afaste de "
    "qualquer coisa que possa usar para se machucar.",
    resources_intro="Você pode conversar com alguém agora, de graça:",
    open="Estou aqui e podemos continuar conversando. Se ligar parecer difícil, posso te ajudar a pensar no que dizer.",
    output_blocked="Não posso ajudar com isso. Sou uma IA e me importo com a sua segurança. Se você está pensando em "
    "se machucar ou machucar alguém, por favor fale agora com uma pessoa:",
    emergency_label="Emergência",
)

_FR = Phrases(
    ai="Je suis une IA, pas une personne, et je suis vraiment content que tu m'en parles.",
    ack={
        "suicidal_ideation": "On dirait que tu portes beaucoup de douleur en ce moment, et ce que tu ressens compte.",
        "self_harm": "Te faire du mal montre tout ce que tu traverses, et tu mérites du soin, pas du jugement.",
        "harm_to_others": "On dirait que la colère et la douleur te submergent en ce moment.",
        "abuse": "Je suis vraiment désolé que cela t'arrive. Ce n'est pas de ta faute, et tu mérites d'être en sécurité.",
        "medical_emergency": "Ce que tu décris peut être une urgence médicale.",
    },
    ask={
        "suicidal_ideation": "Est-ce que tu as des pensées de mettre fin à ta vie ? Es-tu en sécurité en ce moment ?",
        "self_harm": "Es-tu blessé en ce moment, et as-tu des pensées de mettre fin à ta vie ?",
        "harm_to_others": "Est-ce que quelqu'un est en danger en ce moment, toi compris ?",
        "abuse": "Es-tu en sécurité en ce moment ?",
        "medical_emergency": "Appelle le {emergency} maintenant ou demande à quelqu'un de t'emmener aux urgences. "
        "Est-ce que quelqu'un est avec toi ?",
    },
    reach="S'il te plaît, parle maintenant à une personne : une des lignes ci-dessous, ou quelqu'un de confiance "
    "qui peut être avec toi. Un médecin ou un professionnel de santé mentale peut aussi t'aider.",
    danger="Si tu es en danger immédiat, appelle le {emergency}. Si tu peux, reste avec quelqu'un et éloigne-toi "
    "de tout ce que tu pourrais utiliser pour te faire du mal.",
    resources_intro="Tu peux parler à quelqu'un maintenant, gratuitement :",
    open="Je suis là et on peut continuer à parler. Si appeler te paraît difficile, je peux t'aider à préparer ce que "
    "tu veux dire.",
    output_blocked="Je ne peux pas t'aider avec ça. Je suis une IA et ta sécurité compte pour moi. Si tu penses à te "
    "faire du mal ou à faire du mal à quelqu'un, parle maintenant à une personne :",
    emergency_label="Urgences",
)

_DE = Phrases(
    ai="Ich bin eine KI, kein Mensch, und ich bin froh, dass du es mir erzählst.",
    ack={
        "suicidal_ideation": "Es klingt, als würdest du gerade sehr viel Schmerz tragen, und was du fühlst, zählt.",
        "self_harm": "Dass du dich verletzt, zeigt, wie viel du gerade durchmachst. Du verdienst Fürsorge, kein Urteil.",
        "harm_to_others": "Es klingt, als würden Wut und Schmerz dich gerade überwältigen.",
        "abuse": "Es tut mir sehr leid, dass dir das passiert. Es ist nicht deine Schuld, und du verdienst Sicherheit.",
        "medical_emergency": "Was du beschreibst, kann ein medizinischer Notfall sein.",
    },
    ask={
        "suicidal_ideation": "Hast du Gedanken, dir das Leben zu nehmen? Bist du gerade in Sicherheit?",
        "self_harm": "Bist du gerade verletzt, und hast du Gedanken, dir das Leben zu nehmen?",
        "harm_to_others": "Ist gerade jemand in Gefahr, auch du selbst?",
        "abuse": "Bist du gerade in Sicherheit?",
        "medical_emergency": "Bitte ruf jetzt die {emergency} an oder bitte jemanden, dich in die Notaufnahme zu "
        "bringen. Ist jemand bei dir?",
    },
    reach="Bitte wende dich jetzt an einen Menschen: eine der Nummern unten oder jemanden, dem du vertraust und "
    "der bei dir sein kann. Auch eine Ärztin, ein Arzt oder eine psychotherapeutische Fachperson kann helfen.",
    danger="Wenn du in akuter Gefahr bist, ruf die {emergency} an. Wenn du kannst, bleib bei jemandem und bring "
    "Abstand zwischen dich und alles, womit du dich verletzen könntest.",
    resources_intro="Du kannst jetzt sofort mit jemandem sprechen, kostenlos:",
    open="Ich bin da und wir können weiterreden. Wenn dir Anrufen schwerfällt, helfe ich dir zu überlegen, was du "
    "sagen möchtest.",
    output_blocked="Dabei kann ich nicht helfen. Ich bin eine KI, und deine Sicherheit ist mir wichtig. Wenn du daran "
    "denkst, dir oder jemand anderem etwas anzutun, sprich bitte jetzt mit einem Menschen:",
    emergency_label="Notruf",
)

_IT = Phrases(
    ai="Sono un'IA, non una persona, e sono davvero contento che tu me l'abbia detto.",
    ack={
        "suicidal_ideation": "Sembra che tu stia portando tanto dolore in questo momento, e quello che senti conta.",
        "self_harm": "Farti del male mostra quanto stai passando, e meriti cura, non giudizio.",
        "harm_to_others": "Sembra che la rabbia e il dolore ti stiano travolgendo in questo momento.",
        "abuse": "Mi dispiace tanto che ti stia succedendo. Non è colpa tua, e meriti di essere al sicuro.",
        "medical_emergency": "Quello che descrivi può essere un'emergenza medica.",
    },
    ask={
        "suicidal_ideation": "Stai pensando di toglierti la vita? Sei al sicuro in questo momento?",
        "self_harm": "Sei ferito in questo momento, e hai pensieri di toglierti la vita?",
        "harm_to_others": "C'è qualcuno in pericolo in questo momento, anche tu?",
        "abuse": "Sei al sicuro in questo momento?",
        "medical_emergency": "Per favore chiama subito il {emergency} o chiedi a qualcuno di portarti al pronto "
        "soccorso. C'è qualcuno con te?",
    },
    reach="Per favore parla adesso con una persona: uno dei servizi qui sotto, o qualcuno di cui ti fidi che possa "
    "stare con te. Anche un medico o un professionista della salute mentale può aiutarti.",
    danger="Se sei in pericolo immediato, chiama il {emergency}. Se puoi, resta con qualcuno e allontanati da "
    "qualsiasi cosa potresti usare per farti del male.",
    resources_intro="Puoi parlare con qualcuno adesso, gratis:",
    open="Sono qui e possiamo continuare a parlare. Se chiamare ti sembra difficile, posso aiutarti a pensare a cosa "
    "dire.",
    output_blocked="Non posso aiutarti con questo. Sono un'IA e la tua sicurezza mi sta a cuore. Se stai pensando di "
    "farti del male o di fare del male a qualcuno, per favore parla adesso con una persona:",
    emergency_label="Emergenze",
)

_ID = Phrases(
    ai="Aku adalah AI, bukan manusia, dan aku senang sekali kamu mau cerita.",
    ack={
        "suicidal_ideation": "Sepertinya kamu sedang menanggung rasa sakit yang sangat berat, dan perasaanmu penting.",
        "self_harm": "Melukai diri sendiri menunjukkan betapa beratnya yang kamu alami, dan kamu layak dipedulikan, "
        "bukan dihakimi.",
        "harm_to_others": "Sepertinya kamu sedang diliputi amarah dan rasa sakit.",
        "abuse": "Aku sangat menyesal ini terjadi padamu. Ini bukan salahmu, dan kamu berhak merasa aman.",
        "medical_emergency": "Yang kamu ceritakan bisa jadi keadaan darurat medis.",
    },
    ask={
        "suicidal_ideation": "Apakah kamu punya pikiran untuk mengakhiri hidupmu? Apakah kamu aman sekarang?",
        "self_harm": "Apakah kamu terluka sekarang, dan apakah kamu punya pikiran untuk mengakhiri hidupmu?",
        "harm_to_others": "Apakah ada orang yang dalam bahaya sekarang, termasuk kamu?",
        "abuse": "Apakah kamu aman sekarang?",
        "medical_emergency": "Tolong hubungi {emergency} sekarang atau minta seseorang mengantarmu ke IGD. "
        "Apakah ada orang di dekatmu?",
    },
    reach="Tolong hubungi seseorang sekarang: salah satu layanan di bawah, atau orang yang kamu percaya dan bisa "
    "menemanimu. Dokter atau tenaga profesional kesehatan jiwa juga bisa membantu.",
    danger="Kalau kamu dalam bahaya langsung, hubungi {emergency}. Kalau bisa, tetaplah bersama seseorang dan "
    "jauhkan dirimu dari apa pun yang bisa kamu pakai untuk melukai diri.",
    resources_intro="Kamu bisa bicara dengan seseorang sekarang, gratis:",
    open="Aku di sini dan kita bisa terus ngobrol. Kalau menelepon terasa berat, aku bisa bantu memikirkan apa yang "
    "mau kamu katakan.",
    output_blocked="Aku tidak bisa membantu dengan itu. Aku adalah AI dan aku peduli pada keselamatanmu. Kalau kamu "
    "berpikir untuk melukai diri sendiri atau orang lain, tolong bicara dengan seseorang sekarang:",
    emergency_label="Darurat",
)

_HI = Phrases(
    ai="मैं एक AI हूँ, इंसान नहीं, और मुझे सच में अच्छा लगा कि आपने मुझे बताया।",
    ack={
        "suicidal_ideation": "लगता है आप इस समय बहुत दर्द से गुज़र रहे हैं, और आप जो महसूस कर रहे हैं वह मायने रखता है।",
        "self_harm": "खुद को चोट पहुँचाना दिखाता है कि आप कितना कुछ झेल रहे हैं। आप देखभाल के हक़दार हैं, आलोचना के नहीं।",
        "harm_to_others": "लगता है इस समय गुस्सा और दर्द आप पर हावी हो रहे हैं।",
        "abuse": "मुझे बहुत दुख है कि आपके साथ ऐसा हो रहा है। इसमें आपकी कोई गलती नहीं है, और आप सुरक्षित रहने के हक़दार हैं।",
        "medical_emergency": "आप जो बता रहे हैं वह एक मेडिकल इमरजेंसी हो सकती है।",
    },
    ask={
        "suicidal_ideation": "क्या आपके मन में अपनी जान लेने के विचार आ रहे हैं? क्या आप इस समय सुरक्षित हैं?",
        "self_harm": "क्या आपको इस समय चोट लगी है, और क्या आपके मन में अपनी जान लेने के विचार आ रहे हैं?",
        "harm_to_others": "क्या इस समय कोई खतरे में है, आप भी?",
        "abuse": "क्या आप इस समय सुरक्षित हैं?",
        "medical_emergency": "कृपया अभी {emergency} पर कॉल करें या किसी से कहें कि आपको इमरजेंसी में ले जाए। "
        "क्या कोई आपके साथ है?",
    },
    reach="कृपया अभी किसी इंसान से बात करें: नीचे दी गई किसी हेल्पलाइन से, या किसी भरोसेमंद व्यक्ति से जो आपके साथ रह सके। "
    "डॉक्टर या मानसिक स्वास्थ्य विशेषज्ञ भी मदद कर सकते हैं।",
    danger="अगर आप तुरंत खतरे में हैं, तो {emergency} पर कॉल करें। हो सके तो किसी के साथ रहें और ऐसी हर चीज़ से दूरी बना लें "
    "जिससे आप खुद को चोट पहुँचा सकते हैं।",
    resources_intro="आप अभी किसी से मुफ़्त में बात कर सकते हैं:",
    open="मैं यहीं हूँ और हम बात करते रह सकते हैं। अगर कॉल करना मुश्किल लगे, तो मैं यह सोचने में मदद कर सकता हूँ कि क्या कहें।",
    output_blocked="मैं इसमें मदद नहीं कर सकता। मैं एक AI हूँ और मुझे आपकी सुरक्षा की परवाह है। अगर आप खुद को या किसी और को "
    "चोट पहुँचाने के बारे में सोच रहे हैं, तो कृपया अभी किसी इंसान से बात करें:",
    emergency_label="आपातकाल",
)

#: Phrases by language code; other languages get English.
PHRASES: dict[str, Phrases] = {
    "en": _EN,
    "es": _ES,
    "pt": _PT,
    "fr": _FR,
    "de": _DE,
    "it": _IT,
    "id": _ID,
    "hi": _HI,
}
LANGUAGES: tuple[str, ...] = tuple(PHRASES)
