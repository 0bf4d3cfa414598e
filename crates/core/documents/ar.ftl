## Perspectief: documents for the participant, in Arabic (Modern Standard Arabic).
## Review: machine-drafted, awaiting review by a native speaker
##
## Right to left. Every message here is fixed text; text written by staff is never translated.
## To correct a translation, change the text after "=" and keep the id before it.
## See docs/languages.md.

language-name = العربية

## Dates: pattern and Gregorian month names; digits stay Western (0-9), see docs/languages.md.
date-pattern = { $day } { $month } { $year }
month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر

plan-title = خطتي للمستقبل
plan-intro = هذه خطتك التي وضعتها مع المرشد المسؤول عنك. تبيّن ما تعمل من أجله، وما تم الاتفاق عليه، ومن يقوم بماذا.
plan-for = الاسم
plan-printed = تاريخ الطباعة
plan-version = نسخة الخطة
plan-agreed = وافقت على هذه الخطة بتاريخ
plan-not-agreed = لم توافق بعد على هذه النسخة من الخطة.
plan-none = لا توجد خطة بعد. سيضعها المرشد معك.
free-text-note = النصوص التي كتبها الموظفون معروضة كما كُتبت، وغالبًا باللغة الهولندية. اطلب من المرشد المسؤول عنك أن يشرح لك ما لا تفهمه.

heading-direction = اتجاهي
heading-situation = وضعي
heading-perspective = مستقبلي والخطوات نحوه
heading-goals = أهدافي
heading-agreements = الاتفاقات
heading-upcoming = المواعيد القادمة
heading-trajectory = مساري
heading-contact = بمن أتصل
heading-self-reliance = اعتمادي على نفسي مع مرور الوقت
heading-consent = الموافقة
heading-file = الاطلاع على ملفك
heading-complaint = الشكاوى

direction-undecided = لم يتحدد بعد
direction-legal = إجراء قانوني (جديد) في هولندا
direction-return = العودة إلى بلدي الأصلي
direction-third-country = السفر إلى بلد آخر

label-goal = الهدف
label-deadline = الموعد النهائي
label-who = من يقوم به
label-status = الحالة
label-next-steps = الخطوات التالية
label-agreement = الاتفاق
label-due = في موعد أقصاه
label-date = التاريخ
label-what = ماذا
label-registered = بداية المسار
label-end = نهاية المسار (في موعد أقصاه)
label-days-left = الأيام المتبقية
label-project-worker = المرشد المسؤول عني
label-organisation = الجهة
label-phone = الهاتف
label-email = البريد الإلكتروني
label-address = العنوان
nothing-recorded = لم يُسجَّل شيء بعد.

who-you = أنت
who-project-worker = المرشد المسؤول عنك
who-partner = جهة شريكة

goal-open = لم يبدأ بعد
goal-in-progress = قيد التنفيذ
goal-achieved = تحقق
goal-missed = انقضى الموعد
goal-dropped = لم يعد قائمًا
agreement-open = مفتوح
upcoming-goal = موعد نهائي لهدف
upcoming-agreement = موعد اتفاق

trajectory-text = يستمر الإرشاد 18 شهرًا على الأكثر. قبل النهاية بوقت كافٍ تنظر مع المرشد فيما سيأتي بعد ذلك.

zrm-intro = تنظر أنت والمرشد بانتظام في مدى قدرتك على تدبير أمورك في مجالات الحياة المختلفة. الدرجة من 1 (مشاكل حادة) إلى 5 (اعتماد كامل على النفس). يبيّن كل رسم درجاتك مع مرور الوقت.
zrm-none = لم يُسجَّل أي تقييم بعد.
zrm-finances = الشؤون المالية
zrm-work-education = العمل والتعليم
zrm-time-use = قضاء الوقت
zrm-housing = السكن
zrm-domestic-relations = العلاقات الأسرية
zrm-mental-health = الصحة النفسية
zrm-physical-health = الصحة الجسدية
zrm-addiction = الإدمان
zrm-basic-adl = العناية الذاتية
zrm-instrumental-adl = تدبير الحياة اليومية
zrm-social-network = الشبكة الاجتماعية
zrm-social-participation = المشاركة في المجتمع
zrm-justice = القضاء

rights-consent = لا نشارك معلومات عنك مع جهة أخرى إلا إذا وافقت على ذلك، ولا نشارك إلا ما تحتاجه تلك الجهة. يمكنك سحب موافقتك في أي وقت بإبلاغ المرشد المسؤول عنك. ومن تلك اللحظة لا تتم مشاركة أي شيء آخر على أساس تلك الموافقة.
rights-file = يحق لك الاطلاع على ما سجلناه عنك، وطلب تصحيح الأخطاء. اطلب ذلك من المرشد المسؤول عنك أو من رئيس المشروع. ستحصل على رد خلال شهر واحد.
rights-complaint = إذا لم تكن راضيًا عن طريقة معاملتك، فأخبر المرشد المسؤول عنك أو رئيس المشروع. وإذا لم يُجدِ ذلك، يمكنك استخدام نظام الشكاوى لدى المؤسسة. وبخصوص بياناتك الشخصية يمكنك أيضًا تقديم شكوى إلى هيئة حماية البيانات الهولندية (Autoriteit Persoonsgegevens).

sheet-title = معلومات للمشاركين
sheet-version-label = الإصدار
sheet-version = 2026.1
sheet-intro = تشرح هذه الورقة ما تقدمه لك المؤسسة، وما يمكنك أن تتوقعه منا، وما نتوقعه منك.
sheet-foundation-heading = ماذا تفعل المؤسسة
sheet-foundation-text = ترافق المؤسسة أشخاصًا بدون تصريح إقامة يقيمون في مأوى LVV في أمستردام. نبحث معك عن أفق مستدام: مستقبل يمنحك الاستقرار. نجري معك محادثات، ونضع خطة بأهداف، ونحيلك إلى جهات يمكنها مساعدتك، ونتابع الاتفاقات.
sheet-limit-heading = 18 شهرًا على الأكثر
sheet-limit-text = يستمر الإرشاد والإيواء 18 شهرًا على الأكثر من تاريخ تسجيلك. خلال هذه المدة نعمل معًا نحو أفق مستدام. وقبل النهاية بوقت كافٍ نناقش معك ما سيأتي بعد ذلك.
sheet-directions-heading = ثلاثة اتجاهات
sheet-directions-intro = يمكن أن يتخذ الأفق المستدام أحد ثلاثة اتجاهات:
sheet-direction-legal = إجراء قانوني (جديد) في هولندا، مثل طلب لجوء جديد، بمساعدة محامٍ أو جهة قانونية.
sheet-direction-return = العودة إلى بلدك الأصلي، طوعًا وبعد التحضير، بمساعدة جهات مثل المنظمة الدولية للهجرة (IOM).
sheet-direction-third = السفر إلى بلد آخر يُسمح لك بالإقامة فيه.
sheet-help-heading = المساعدة ومسؤوليتك الخاصة
sheet-help-text = نخبرك بشكل كامل وصادق عن إمكانياتك وعن المساعدة المتاحة، حتى عندما تكون الأخبار صعبة. القرارات قراراتك، وكذلك المسؤولية عن القيام بخطوات خطتك. نساعدك على أن تقوم بالمزيد بنفسك شيئًا فشيئًا.
