## Perspectief: documents for the participant, in English.
## Review: machine-drafted, awaiting review by a native speaker
##
## Every message here is fixed text of "My perspective plan" and the information sheet. Text
## that staff wrote (the situation, goals, agreements) is never translated. To correct a
## translation, change the text after "=" and keep the message id before it. See
## docs/languages.md.

language-name = English

## Dates: the pattern and the month names (Gregorian calendar, Western digits).
date-pattern = { $day } { $month } { $year }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## My perspective plan
plan-title = My perspective plan
plan-intro = This is your plan, made together with your project worker. It shows what you are working towards, what has been agreed and who does what.
plan-for = Name
plan-printed = Printed on
plan-version = Plan version
plan-agreed = You agreed to this plan on
plan-not-agreed = You have not yet agreed to this version of the plan.
plan-none = There is no plan yet. Your project worker will make it together with you.
free-text-note = Texts written by staff are shown exactly as they were written, often in Dutch. Ask your project worker to explain anything you do not understand.

heading-direction = My direction
heading-situation = My situation
heading-perspective = My perspective and the steps towards it
heading-goals = My goals
heading-agreements = Agreements
heading-upcoming = Coming up
heading-trajectory = My trajectory
heading-contact = Whom to contact
heading-self-reliance = My self-reliance over time
heading-consent = Consent
heading-file = Seeing your file
heading-complaint = Complaints

direction-undecided = Not yet decided
direction-legal = A (new) legal procedure in the Netherlands
direction-return = Return to my country of origin
direction-third-country = Departure to another country

label-goal = Goal
label-deadline = Deadline
label-who = Who does it
label-status = Status
label-next-steps = Next steps
label-agreement = Agreement
label-due = By
label-date = Date
label-what = What
label-registered = Start of the trajectory
label-end = End of the trajectory (at the latest)
label-days-left = Days left
label-project-worker = My project worker
label-organisation = Organisation
label-phone = Telephone
label-email = Email
label-address = Address
nothing-recorded = Nothing recorded yet.

who-you = You
who-project-worker = Your project worker
who-partner = A partner organisation

goal-open = Not started
goal-in-progress = In progress
goal-achieved = Achieved
goal-missed = Deadline passed
goal-dropped = No longer pursued
agreement-open = Open
upcoming-goal = Deadline of a goal
upcoming-agreement = Agreement due

trajectory-text = Guidance lasts at most 18 months. Well before the end, you and your project worker look together at what comes next.

zrm-intro = You and your project worker regularly look at how you manage in different areas of life. A score runs from 1 (acute problems) to 5 (fully self-reliant). Each chart shows your scores over time.
zrm-none = No assessment recorded yet.
zrm-finances = Finances
zrm-work-education = Work and education
zrm-time-use = Use of time
zrm-housing = Housing
zrm-domestic-relations = Domestic relations
zrm-mental-health = Mental health
zrm-physical-health = Physical health
zrm-addiction = Addiction
zrm-basic-adl = Self-care
zrm-instrumental-adl = Running daily life
zrm-social-network = Social network
zrm-social-participation = Taking part in society
zrm-justice = Justice

rights-consent = We share information about you with another organisation only when you agree, and only what that organisation needs. You can withdraw your consent at any time by telling your project worker. From then on, nothing more is shared on the basis of that consent.
rights-file = You may see what we have recorded about you, and have mistakes corrected. Ask your project worker or the project lead. You will receive an answer within one month.
rights-complaint = If you are not satisfied with how you are treated, tell your project worker or the project lead. If that does not help, you can use the foundation's complaints procedure. About your personal data you can also complain to the Dutch Data Protection Authority (Autoriteit Persoonsgegevens).

## The information sheet
sheet-title = Information for participants
sheet-version-label = Version
sheet-version = 2026.1
sheet-intro = This sheet explains what the foundation does for you, what you can expect from us and what we expect from you.
sheet-foundation-heading = What the foundation does
sheet-foundation-text = The foundation guides people without a residence permit who stay in the LVV shelter in Amsterdam. Together with you, we look for a durable perspective: a future that offers you stability. We talk with you, make a plan with goals, refer you to organisations that can help you, and keep track of the agreements.
sheet-limit-heading = At most 18 months
sheet-limit-text = Guidance and shelter last at most 18 months from your registration. Within that time we work together towards a durable perspective. Well before the end, we discuss with you what comes next.
sheet-directions-heading = Three directions
sheet-directions-intro = A durable perspective can take one of three directions:
sheet-direction-legal = A (new) legal procedure in the Netherlands, for example a new asylum application, with the help of a lawyer or a legal organisation.
sheet-direction-return = Return to your country of origin, voluntarily and prepared, with help from organisations such as IOM.
sheet-direction-third = Departure to another country where you may stay.
sheet-help-heading = Help and your own responsibility
sheet-help-text = We inform you fully and honestly about your options and about the help that is available, also when the news is difficult. The choices are yours, and so is the responsibility for taking the steps in your plan. We help you to do more and more yourself.
