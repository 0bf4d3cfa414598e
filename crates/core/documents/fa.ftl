## Perspectief: documents for the participant, in Dari/Farsi (Persian script).
## Review: machine-drafted, awaiting review by a native speaker
##
## Right to left. Written to be readable for Dari speakers from Afghanistan and Farsi speakers
## from Iran; Gregorian month names in the form used in Afghanistan. Every message here is
## fixed text; text written by staff is never translated. To correct a translation, change the
## text after "=" and keep the id before it. See docs/languages.md.

language-name = دری / فارسی

## Dates: pattern and Gregorian month names; digits stay Western (0-9), see docs/languages.md.
date-pattern = { $day } { $month } { $year }
month-1 = جنوری
month-2 = فبروری
month-3 = مارچ
month-4 = اپریل
month-5 = می
month-6 = جون
month-7 = جولای
month-8 = اگست
month-9 = سپتامبر
month-10 = اکتوبر
month-11 = نومبر
month-12 = دسمبر

plan-title = برنامه آینده من
plan-intro = این برنامه شماست که همراه با مددکار خود تهیه کرده‌اید. نشان می‌دهد به سوی چه هدفی کار می‌کنید، چه توافق‌هایی شده و چه کسی چه کاری انجام می‌دهد.
plan-for = نام
plan-printed = تاریخ چاپ
plan-version = نسخه برنامه
plan-agreed = شما با این برنامه موافقت کردید در تاریخ
plan-not-agreed = شما هنوز با این نسخه برنامه موافقت نکرده‌اید.
plan-none = هنوز برنامه‌ای وجود ندارد. مددکار شما آن را همراه با شما تهیه می‌کند.
free-text-note = متن‌هایی که کارمندان نوشته‌اند همان‌طور که نوشته شده‌اند نمایش داده می‌شوند، اغلب به زبان هلندی. از مددکار خود بخواهید هر چیزی را که نمی‌فهمید برایتان توضیح دهد.

heading-direction = مسیر من
heading-situation = وضعیت من
heading-perspective = چشم‌انداز من و گام‌ها به سوی آن
heading-goals = اهداف من
heading-agreements = توافق‌ها
heading-upcoming = کارهای پیش رو
heading-trajectory = دوره همراهی من
heading-contact = با چه کسی تماس بگیرم
heading-self-reliance = خودکفایی من در طول زمان
heading-consent = رضایت
heading-file = دیدن پرونده خود
heading-complaint = شکایت

direction-undecided = هنوز تعیین نشده
direction-legal = یک روند حقوقی (جدید) در هلند
direction-return = بازگشت به کشور اصلی‌ام
direction-third-country = رفتن به یک کشور دیگر

label-goal = هدف
label-deadline = مهلت
label-who = چه کسی انجام می‌دهد
label-status = وضعیت
label-next-steps = گام‌های بعدی
label-agreement = توافق
label-due = حداکثر تا
label-date = تاریخ
label-what = چه چیزی
label-registered = آغاز دوره
label-end = پایان دوره (حداکثر)
label-days-left = روزهای باقی‌مانده
label-project-worker = مددکار من
label-organisation = سازمان
label-phone = تلفن
label-email = ایمیل
label-address = آدرس
nothing-recorded = هنوز چیزی ثبت نشده است.

who-you = خود شما
who-project-worker = مددکار شما
who-partner = یک سازمان همکار

goal-open = هنوز شروع نشده
goal-in-progress = در حال انجام
goal-achieved = انجام شد
goal-missed = مهلت گذشته است
goal-dropped = دیگر دنبال نمی‌شود
agreement-open = باز
upcoming-goal = مهلت یک هدف
upcoming-agreement = موعد یک توافق

trajectory-text = همراهی حداکثر 18 ماه طول می‌کشد. مدتی پیش از پایان، شما و مددکارتان با هم بررسی می‌کنید که پس از آن چه خواهد شد.

zrm-intro = شما و مددکارتان به طور منظم بررسی می‌کنید که در بخش‌های مختلف زندگی چگونه از عهده کارها برمی‌آیید. نمره از 1 (مشکلات حاد) تا 5 (کاملاً خودکفا) است. هر نمودار نمره‌های شما را در طول زمان نشان می‌دهد.
zrm-none = هنوز هیچ ارزیابی ثبت نشده است.
zrm-finances = امور مالی
zrm-work-education = کار و آموزش
zrm-time-use = گذراندن وقت
zrm-housing = مسکن
zrm-domestic-relations = روابط خانوادگی
zrm-mental-health = سلامت روان
zrm-physical-health = سلامت جسمی
zrm-addiction = اعتیاد
zrm-basic-adl = مراقبت از خود
zrm-instrumental-adl = اداره زندگی روزمره
zrm-social-network = شبکه اجتماعی
zrm-social-participation = مشارکت در جامعه
zrm-justice = امور قضایی

rights-consent = ما اطلاعات شما را فقط زمانی با سازمان دیگری در میان می‌گذاریم که شما موافق باشید، و فقط آنچه آن سازمان لازم دارد. شما هر زمان می‌توانید رضایت خود را پس بگیرید؛ کافی است به مددکار خود بگویید. از آن لحظه دیگر هیچ چیزی بر اساس آن رضایت به اشتراک گذاشته نمی‌شود.
rights-file = شما حق دارید ببینید ما چه چیزی درباره شما ثبت کرده‌ایم و اشتباهات را اصلاح کنید. این را از مددکار خود یا مسئول پروژه بخواهید. ظرف یک ماه پاسخ دریافت می‌کنید.
rights-complaint = اگر از نحوه برخورد با خود راضی نیستید، به مددکار خود یا مسئول پروژه بگویید. اگر این کمک نکرد، می‌توانید از روند رسیدگی به شکایات بنیاد استفاده کنید. درباره اطلاعات شخصی خود همچنین می‌توانید به سازمان حفاظت از داده‌های هلند (Autoriteit Persoonsgegevens) شکایت کنید.

sheet-title = اطلاعات برای شرکت‌کنندگان
sheet-version-label = نسخه
sheet-version = 2026.1
sheet-intro = این برگه توضیح می‌دهد که بنیاد برای شما چه می‌کند، از ما چه انتظاری می‌توانید داشته باشید و ما از شما چه انتظاری داریم.
sheet-foundation-heading = بنیاد چه کاری انجام می‌دهد
sheet-foundation-text = بنیاد افرادی را همراهی می‌کند که اجازه اقامت ندارند و در پناهگاه LVV در آمستردام زندگی می‌کنند. ما همراه با شما به دنبال یک چشم‌انداز پایدار هستیم: آینده‌ای که به شما ثبات بدهد. ما با شما گفتگو می‌کنیم، برنامه‌ای با اهداف تهیه می‌کنیم، شما را به سازمان‌هایی که می‌توانند کمک کنند معرفی می‌کنیم و توافق‌ها را پیگیری می‌کنیم.
sheet-limit-heading = حداکثر 18 ماه
sheet-limit-text = همراهی و اسکان حداکثر 18 ماه از زمان ثبت‌نام شما طول می‌کشد. در این مدت با هم به سوی یک چشم‌انداز پایدار کار می‌کنیم. مدتی پیش از پایان، با شما درباره مرحله بعد صحبت می‌کنیم.
sheet-directions-heading = سه مسیر
sheet-directions-intro = یک چشم‌انداز پایدار می‌تواند یکی از این سه مسیر را داشته باشد:
sheet-direction-legal = یک روند حقوقی (جدید) در هلند، مثلاً یک درخواست پناهندگی جدید، با کمک یک وکیل یا یک سازمان حقوقی.
sheet-direction-return = بازگشت به کشور اصلی خود، داوطلبانه و با آمادگی، با کمک سازمان‌هایی مانند سازمان بین‌المللی مهاجرت (IOM).
sheet-direction-third = رفتن به کشور دیگری که اجازه اقامت در آن را دارید.
sheet-help-heading = کمک و مسئولیت خود شما
sheet-help-text = ما شما را به طور کامل و صادقانه از امکانات خود و کمک‌های موجود آگاه می‌کنیم، حتی وقتی خبرها سخت است. تصمیم‌ها با خود شماست، و همچنین مسئولیت برداشتن گام‌های برنامه‌تان. ما به شما کمک می‌کنیم تا روزبه‌روز کارهای بیشتری را خودتان انجام دهید.
