## Perspectief: documenten voor de deelnemer, in het Nederlands.
## Review: source text, written by the developers; the foundation checks it before use
##
## Elke boodschap hier is vaste tekst van "Mijn perspectiefplan" en het informatieblad. Tekst
## die medewerkers schreven (situatie, doelen, afspraken) wordt nooit vertaald. Verbeter een
## tekst na het "="-teken en laat het id ervoor staan. Zie docs/languages.md.

language-name = Nederlands

## Datums: het patroon en de namen van de maanden (gregoriaanse kalender, westerse cijfers).
date-pattern = { $day } { $month } { $year }
month-1 = januari
month-2 = februari
month-3 = maart
month-4 = april
month-5 = mei
month-6 = juni
month-7 = juli
month-8 = augustus
month-9 = september
month-10 = oktober
month-11 = november
month-12 = december

## Mijn perspectiefplan
plan-title = Mijn perspectiefplan
plan-intro = Dit is uw plan, samen met uw projectmedewerker gemaakt. Het laat zien waar u naartoe werkt, wat er is afgesproken en wie wat doet.
plan-for = Naam
plan-printed = Afgedrukt op
plan-version = Versie van het plan
plan-agreed = U bent akkoord gegaan met dit plan op
plan-not-agreed = U bent nog niet akkoord gegaan met deze versie van het plan.
plan-none = Er is nog geen plan. Uw projectmedewerker maakt het samen met u.
free-text-note = Teksten die medewerkers schreven staan hier precies zoals ze geschreven zijn. Vraag uw projectmedewerker om uitleg als iets niet duidelijk is.

heading-direction = Mijn richting
heading-situation = Mijn situatie
heading-perspective = Mijn perspectief en de stappen daarheen
heading-goals = Mijn doelen
heading-agreements = Afspraken
heading-upcoming = Wat er aankomt
heading-trajectory = Mijn traject
heading-contact = Met wie neem ik contact op
heading-self-reliance = Mijn zelfredzaamheid door de tijd
heading-consent = Toestemming
heading-file = Uw dossier inzien
heading-complaint = Klachten

direction-undecided = Nog niet bepaald
direction-legal = Een (nieuwe) juridische procedure in Nederland
direction-return = Terugkeer naar mijn land van herkomst
direction-third-country = Vertrek naar een ander land

label-goal = Doel
label-deadline = Termijn
label-who = Wie doet het
label-status = Stand van zaken
label-next-steps = Volgende stappen
label-agreement = Afspraak
label-due = Uiterlijk
label-date = Datum
label-what = Wat
label-registered = Begin van het traject
label-end = Einde van het traject (uiterlijk)
label-days-left = Dagen te gaan
label-project-worker = Mijn projectmedewerker
label-organisation = Organisatie
label-phone = Telefoon
label-email = E-mailadres
label-address = Adres
nothing-recorded = Nog niets vastgelegd.

who-you = U zelf
who-project-worker = Uw projectmedewerker
who-partner = Een partnerorganisatie

goal-open = Nog niet begonnen
goal-in-progress = Mee bezig
goal-achieved = Behaald
goal-missed = Termijn verstreken
goal-dropped = Vervallen
agreement-open = Staat nog open
upcoming-goal = Termijn van een doel
upcoming-agreement = Afspraak loopt af

trajectory-text = De begeleiding duurt ten hoogste 18 maanden. Ruim voor het einde kijkt u samen met uw projectmedewerker wat er daarna komt.

zrm-intro = U en uw projectmedewerker kijken regelmatig hoe het u lukt op verschillende levensgebieden. Een score loopt van 1 (acute problemen) tot 5 (volledig zelfredzaam). Elke grafiek toont uw scores door de tijd.
zrm-none = Nog geen meting vastgelegd.
zrm-finances = Financiën
zrm-work-education = Werk en opleiding
zrm-time-use = Tijdsbesteding
zrm-housing = Huisvesting
zrm-domestic-relations = Huiselijke relaties
zrm-mental-health = Geestelijke gezondheid
zrm-physical-health = Lichamelijke gezondheid
zrm-addiction = Verslaving
zrm-basic-adl = Zelfzorg
zrm-instrumental-adl = Dagelijks leven regelen
zrm-social-network = Sociaal netwerk
zrm-social-participation = Meedoen in de samenleving
zrm-justice = Justitie

rights-consent = Wij delen informatie over u alleen met een andere organisatie als u daarmee instemt, en alleen wat die organisatie nodig heeft. U kunt uw toestemming altijd intrekken door het uw projectmedewerker te zeggen. Vanaf dan wordt op grond van die toestemming niets meer gedeeld.
rights-file = U mag inzien wat wij over u hebben vastgelegd, en fouten laten verbeteren. Vraag het uw projectmedewerker of de projectleider. U krijgt binnen een maand antwoord.
rights-complaint = Bent u niet tevreden over hoe u behandeld wordt, zeg het dan tegen uw projectmedewerker of de projectleider. Helpt dat niet, dan kunt u de klachtenregeling van de stichting gebruiken. Over uw persoonsgegevens kunt u ook een klacht indienen bij de Autoriteit Persoonsgegevens.

## Het informatieblad
sheet-title = Informatie voor deelnemers
sheet-version-label = Versie
sheet-version = 2026.1
sheet-intro = Dit blad legt uit wat de stichting voor u doet, wat u van ons kunt verwachten en wat wij van u verwachten.
sheet-foundation-heading = Wat de stichting doet
sheet-foundation-text = De stichting begeleidt mensen zonder verblijfsvergunning die in de LVV-opvang in Amsterdam verblijven. Samen met u zoeken wij een duurzaam perspectief: een toekomst die u zekerheid biedt. Wij voeren gesprekken met u, maken een plan met doelen, verwijzen u door naar organisaties die u kunnen helpen, en houden de afspraken bij.
sheet-limit-heading = Ten hoogste 18 maanden
sheet-limit-text = Begeleiding en opvang duren ten hoogste 18 maanden vanaf uw inschrijving. In die tijd werken wij samen aan een duurzaam perspectief. Ruim voor het einde bespreken wij met u wat er daarna komt.
sheet-directions-heading = Drie richtingen
sheet-directions-intro = Een duurzaam perspectief kan een van drie richtingen hebben:
sheet-direction-legal = Een (nieuwe) juridische procedure in Nederland, bijvoorbeeld een nieuwe asielaanvraag, met hulp van een advocaat of een juridische organisatie.
sheet-direction-return = Terugkeer naar uw land van herkomst, vrijwillig en voorbereid, met hulp van organisaties zoals IOM.
sheet-direction-third = Vertrek naar een ander land waar u mag verblijven.
sheet-help-heading = Hulp en uw eigen verantwoordelijkheid
sheet-help-text = Wij informeren u volledig en eerlijk over uw mogelijkheden en over de hulp die er is, ook als het nieuws moeilijk is. De keuzes zijn aan u, en ook de verantwoordelijkheid om de stappen uit uw plan te zetten. Wij helpen u om steeds meer zelf te doen.
