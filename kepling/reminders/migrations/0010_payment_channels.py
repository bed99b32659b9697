"""Payment channels as data, and the seeded reminder texts that now say with what number and where to pay."""

from django.db import migrations, models

CHANNELS = [
    "aplikasi JMO",
    "bank (teller, ATM, mobile banking)",
    "gerai Indomaret/Alfamart/Kantor Pos",
    "agen Perisai"
]

# The seeded texts before and after; a text the city edited is left as it is.
OLD_TEMPLATES = {
    "h-3": "Yth. {nama}, iuran BPJS Ketenagakerjaan bulan {bulan} sebesar {jumlah} jatuh tempo {jatuh_tempo}. Bayar tepat waktu agar perlindungan tetap berjalan. Cara bayar: {cara_bayar}. Salam, {kepling} (Kepling).",
    "tunggakan-1": "Yth. {nama}, iuran BPJS Ketenagakerjaan bulan {bulan} sebesar {jumlah} belum terbayar (jatuh tempo {jatuh_tempo}). Mohon segera dibayar agar perlindungan tidak terputus. Cara bayar: {cara_bayar}. Salam, {kepling} (Kepling).",
    "tunggakan-2": "Yth. {nama}, iuran BPJS Ketenagakerjaan Anda sudah tertunggak 2 bulan. Iuran bulan {bulan} sebesar {jumlah} jatuh tempo {jatuh_tempo}. Bayar sekarang agar JKK dan JKM tetap melindungi Anda. Cara bayar: {cara_bayar}. Salam, {kepling} (Kepling).",
    "tunggakan-3": "Yth. {nama}, iuran BPJS Ketenagakerjaan Anda sudah tertunggak 3 bulan. Jika bulan depan belum dibayar, kepesertaan Anda menjadi nonaktif. Iuran bulan {bulan} sebesar {jumlah} (jatuh tempo {jatuh_tempo}). Cara bayar: {cara_bayar}. Salam, {kepling} (Kepling).",
    "aktifkan-kembali": "Yth. {nama}, kepesertaan BPJS Ketenagakerjaan Anda kini nonaktif karena iuran tertunggak. Aktifkan kembali dengan membayar iuran bulan {bulan} sebesar {jumlah} menggunakan NIK Anda. Cara bayar: {cara_bayar}. Kami siap membantu. Salam, {kepling} (Kepling)."
}
NEW_TEMPLATES = {
    "h-3": "Yth. {nama}, iuran BPJS Ketenagakerjaan bulan {bulan} sebesar {jumlah} jatuh tempo {jatuh_tempo}. Bayar dengan {nomor} lewat {cara_bayar}. {manfaat} Salam, {kepling} (Kepling).",
    "tunggakan-1": "Yth. {nama}, iuran BPJS Ketenagakerjaan bulan {bulan} sebesar {jumlah} belum terbayar (jatuh tempo {jatuh_tempo}). Bayar dengan {nomor} lewat {cara_bayar}. {manfaat} Salam, {kepling} (Kepling).",
    "tunggakan-2": "Yth. {nama}, iuran BPJS Ketenagakerjaan Anda tertunggak 2 bulan. Iuran bulan {bulan} sebesar {jumlah} (jatuh tempo {jatuh_tempo}). Bayar dengan {nomor} lewat {cara_bayar}. {manfaat} Salam, {kepling} (Kepling).",
    "tunggakan-3": "Yth. {nama}, iuran BPJS Ketenagakerjaan Anda tertunggak 3 bulan; bulan depan kepesertaan nonaktif. Iuran bulan {bulan} sebesar {jumlah} (jatuh tempo {jatuh_tempo}). Bayar dengan {nomor} lewat {cara_bayar}. {manfaat} Salam, {kepling} (Kepling).",
    "aktifkan-kembali": "Yth. {nama}, kepesertaan BPJS Ketenagakerjaan Anda nonaktif karena iuran tertunggak. Aktifkan kembali dengan membayar iuran bulan {bulan} sebesar {jumlah} (jatuh tempo {jatuh_tempo}) dengan {nomor} lewat {cara_bayar}. {manfaat} Salam, {kepling} (Kepling)."
}


def forwards(apps, schema_editor):
    Channel = apps.get_model("reminders", "PaymentChannel")
    if not Channel.objects.exists():
        for position, nama in enumerate(CHANNELS, start=1):
            Channel.objects.create(nama=nama, position=position * 10)
    Rule = apps.get_model("reminders", "ReminderRule")
    for code, template in OLD_TEMPLATES.items():
        Rule.objects.filter(code=code, template=template).update(template=NEW_TEMPLATES[code])


def backwards(apps, schema_editor):
    Rule = apps.get_model("reminders", "ReminderRule")
    for code, template in NEW_TEMPLATES.items():
        Rule.objects.filter(code=code, template=template).update(template=OLD_TEMPLATES[code])


class Migration(migrations.Migration):

    dependencies = [
        ('reminders', '0009_contact_promised_date'),
    ]

    operations = [
        migrations.CreateModel(
            name='PaymentChannel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('nama', models.CharField(max_length=120, verbose_name='name, as written in the message')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('position', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
            ],
            options={
                'verbose_name': 'payment channel',
                'verbose_name_plural': 'payment channels',
                'ordering': ['position', 'id'],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
