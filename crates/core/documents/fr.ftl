## Perspectief : documents pour le participant, en français.
## Review: machine-drafted, awaiting review by a native speaker
##
## Chaque message est un texte fixe du « Mon plan de perspective » et de la fiche
## d'information. Le texte écrit par le personnel n'est jamais traduit. Pour corriger une
## traduction, modifiez le texte après « = » et gardez l'identifiant avant. Voir docs/languages.md.

language-name = Français

## Dates : le modèle et les noms des mois (calendrier grégorien, chiffres occidentaux).
date-pattern = { $day } { $month } { $year }
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre

## Mon plan de perspective
plan-title = Mon plan de perspective
plan-intro = Voici votre plan, établi avec votre accompagnateur ou accompagnatrice. Il montre vers quoi vous travaillez, ce qui a été convenu et qui fait quoi.
plan-for = Nom
plan-printed = Imprimé le
plan-version = Version du plan
plan-agreed = Vous avez approuvé ce plan le
plan-not-agreed = Vous n'avez pas encore approuvé cette version du plan.
plan-none = Il n'y a pas encore de plan. Votre accompagnateur l'établira avec vous.
free-text-note = Les textes rédigés par le personnel figurent tels qu'ils ont été écrits, souvent en néerlandais. Demandez à votre accompagnateur de vous expliquer ce que vous ne comprenez pas.

heading-direction = Mon orientation
heading-situation = Ma situation
heading-perspective = Ma perspective et les étapes pour y arriver
heading-goals = Mes objectifs
heading-agreements = Engagements convenus
heading-upcoming = Prochaines échéances
heading-trajectory = Mon parcours
heading-contact = Qui contacter
heading-self-reliance = Mon autonomie au fil du temps
heading-consent = Consentement
heading-file = Consulter votre dossier
heading-complaint = Réclamations

direction-undecided = Pas encore décidée
direction-legal = Une (nouvelle) procédure juridique aux Pays-Bas
direction-return = Le retour dans mon pays d'origine
direction-third-country = Le départ vers un autre pays

label-goal = Objectif
label-deadline = Échéance
label-who = Qui s'en charge
label-status = État
label-next-steps = Prochaines étapes
label-agreement = Engagement
label-due = Au plus tard le
label-date = Date
label-what = Quoi
label-registered = Début du parcours
label-end = Fin du parcours (au plus tard)
label-days-left = Jours restants
label-project-worker = Mon accompagnateur
label-organisation = Organisme
label-phone = Téléphone
label-email = Courriel
label-address = Adresse
nothing-recorded = Rien n'est encore enregistré.

who-you = Vous
who-project-worker = Votre accompagnateur
who-partner = Un organisme partenaire

goal-open = Pas commencé
goal-in-progress = En cours
goal-achieved = Atteint
goal-missed = Échéance dépassée
goal-dropped = Abandonné
agreement-open = En attente
upcoming-goal = Échéance d'un objectif
upcoming-agreement = Engagement à tenir

trajectory-text = L'accompagnement dure au maximum 18 mois. Bien avant la fin, vous examinez avec votre accompagnateur ce qui viendra ensuite.

zrm-intro = Vous et votre accompagnateur regardez régulièrement comment vous vous en sortez dans différents domaines de la vie. Une note va de 1 (problèmes aigus) à 5 (entièrement autonome). Chaque graphique montre vos notes au fil du temps.
zrm-none = Aucune évaluation enregistrée pour l'instant.
zrm-finances = Finances
zrm-work-education = Travail et formation
zrm-time-use = Emploi du temps
zrm-housing = Logement
zrm-domestic-relations = Relations familiales
zrm-mental-health = Santé mentale
zrm-physical-health = Santé physique
zrm-addiction = Dépendances
zrm-basic-adl = Soins personnels
zrm-instrumental-adl = Organisation de la vie quotidienne
zrm-social-network = Réseau social
zrm-social-participation = Participation à la société
zrm-justice = Justice

rights-consent = Nous ne partageons des informations vous concernant avec un autre organisme que si vous êtes d'accord, et seulement ce dont cet organisme a besoin. Vous pouvez retirer votre consentement à tout moment en le disant à votre accompagnateur. À partir de ce moment, plus rien n'est partagé sur la base de ce consentement.
rights-file = Vous pouvez consulter ce que nous avons enregistré à votre sujet et faire corriger les erreurs. Demandez-le à votre accompagnateur ou au chef de projet. Vous recevrez une réponse dans un délai d'un mois.
rights-complaint = Si vous n'êtes pas satisfait de la manière dont vous êtes traité, dites-le à votre accompagnateur ou au chef de projet. Si cela ne suffit pas, vous pouvez utiliser la procédure de réclamation de la fondation. Au sujet de vos données personnelles, vous pouvez aussi porter plainte auprès de l'autorité néerlandaise de protection des données (Autoriteit Persoonsgegevens).

## La fiche d'information
sheet-title = Informations pour les participants
sheet-version-label = Version du document
sheet-version = 2026.1
sheet-intro = Cette fiche explique ce que la fondation fait pour vous, ce que vous pouvez attendre de nous et ce que nous attendons de vous.
sheet-foundation-heading = Ce que fait la fondation
sheet-foundation-text = La fondation accompagne des personnes sans titre de séjour hébergées dans l'accueil LVV à Amsterdam. Avec vous, nous cherchons une perspective durable : un avenir qui vous apporte de la stabilité. Nous avons des entretiens avec vous, établissons un plan avec des objectifs, vous orientons vers des organismes qui peuvent vous aider et suivons les engagements pris.
sheet-limit-heading = 18 mois au maximum
sheet-limit-text = L'accompagnement et l'hébergement durent au maximum 18 mois à partir de votre inscription. Pendant cette période, nous travaillons ensemble vers une perspective durable. Bien avant la fin, nous discutons avec vous de la suite.
sheet-directions-heading = Trois orientations
sheet-directions-intro = Une perspective durable peut prendre l'une de ces trois orientations :
sheet-direction-legal = Une (nouvelle) procédure juridique aux Pays-Bas, par exemple une nouvelle demande d'asile, avec l'aide d'un avocat ou d'une organisation juridique.
sheet-direction-return = Le retour dans votre pays d'origine, volontaire et préparé, avec l'aide d'organisations comme l'OIM (IOM).
sheet-direction-third = Le départ vers un autre pays où vous avez le droit de séjourner.
sheet-help-heading = L'aide disponible et votre propre responsabilité
sheet-help-text = Nous vous informons de manière complète et honnête sur vos possibilités et sur l'aide disponible, même quand les nouvelles sont difficiles. Les choix vous appartiennent, tout comme la responsabilité de franchir les étapes de votre plan. Nous vous aidons à faire de plus en plus de choses par vous-même.
