<#
.SYNOPSIS
  Memasang kinerja di server Windows sebagai tugas Penjadwal Tugas yang berjalan saat komputer
  menyala.

.DESCRIPTION
  Jalankan di PowerShell "Run as administrator" dari folder deploy\windows salinan kinerja:
    .\pasang-kinerja.ps1 -FolderKerja D:\Kinerja
  Langkah: memeriksa Python 3.11 atau lebih baru; membuat lingkungan Python di FolderPasang;
  memasang kinerja dari folder sumber ini (arsip rilis kinerja-VERSI.tar.gz yang diekstrak),
  dengan versi pustaka dari constraints.txt; menyiapkan folder kerja (kinerja init); menyalin
  jalankan-kinerja.ps1; mendaftarkan tugas "kinerja" dari kinerja-task.xml; menjalankannya;
  lalu memeriksa kesehatannya (kinerja health). Aman dijalankan ulang (pembaruan).

.PARAMETER FolderKerja
  Folder kerja yang dibagikan ke pegawai (inbox, outbox, arsip, data_induk).

.PARAMETER FolderPasang
  Tempat kinerja dipasang (bawaan C:\kinerja).

.PARAMETER Polling
  Detik antar-pemeriksaan folder bila FolderKerja ada di drive jaringan (0 = pemberitahuan
  sistem, untuk disk lokal server).
#>
param(
  [Parameter(Mandatory = $true)] [string] $FolderKerja,
  [string] $FolderPasang = "C:\kinerja",
  [double] $Polling = 0
)

$ErrorActionPreference = "Stop"
$principal = New-Object Security.Principal.WindowsPrincipal(
  [Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
  throw "Jalankan skrip ini di PowerShell sebagai Administrator (Run as administrator)."
}

$sumber = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
if (-not (Test-Path (Join-Path $sumber "pyproject.toml"))) {
  throw "Folder sumber kinerja tidak ditemukan di $sumber (jalankan dari deploy\windows)."
}

Write-Host "1. Memeriksa Python 3.11 atau lebih baru ..."
& py -3 -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)"
if ($LASTEXITCODE -ne 0) {
  throw "Python 3.11+ belum terpasang. Pasang dari python.org (centang 'py launcher'), lalu ulangi."
}

Write-Host "2. Menyiapkan $FolderPasang ..."
New-Item -ItemType Directory -Force -Path $FolderPasang | Out-Null
$venv = Join-Path $FolderPasang "venv"
if (-not (Test-Path (Join-Path $venv "Scripts\python.exe"))) { & py -3 -m venv $venv }
$python = Join-Path $venv "Scripts\python.exe"
& $python -m pip install --upgrade pip
# constraints.txt: the library versions CI tested for this release (deploy\README.md, langkah 3)
& $python -m pip install --upgrade "$sumber[excel]" -c (Join-Path $sumber "constraints.txt")
if ($LASTEXITCODE -ne 0) { throw "Pemasangan kinerja gagal (lihat pesan pip di atas)." }
$kinerja = Join-Path $venv "Scripts\kinerja.exe"

Write-Host "3. Menyiapkan folder kerja $FolderKerja ..."
New-Item -ItemType Directory -Force -Path $FolderKerja | Out-Null
& $kinerja init --root $FolderKerja
if ($LASTEXITCODE -ne 0) { throw "kinerja init gagal; periksa data induk." }

Write-Host "4. Mendaftarkan tugas 'kinerja' di Penjadwal Tugas ..."
Copy-Item -Force (Join-Path $PSScriptRoot "jalankan-kinerja.ps1") $FolderPasang
$xml = Get-Content -Raw -Encoding UTF8 (Join-Path $PSScriptRoot "kinerja-task.xml")
$xml = $xml.Replace("{{FOLDER_PASANG}}", $FolderPasang).Replace("{{FOLDER_KERJA}}", $FolderKerja)
if ($Polling -gt 0) {
  $xml = $xml.Replace("-FolderPasang `"$FolderPasang`"",
    "-FolderPasang `"$FolderPasang`" -Polling $Polling")
}
if (Get-ScheduledTask -TaskName "kinerja" -ErrorAction SilentlyContinue) {
  Stop-ScheduledTask -TaskName "kinerja"
  Unregister-ScheduledTask -TaskName "kinerja" -Confirm:$false
}
Register-ScheduledTask -TaskName "kinerja" -Xml $xml | Out-Null
Start-ScheduledTask -TaskName "kinerja"

Write-Host "5. Memeriksa kesehatan layanan ..."
$batas = (Get-Date).AddSeconds(60)
do {
  Start-Sleep -Seconds 3
  & $kinerja health --root $FolderKerja
} while ($LASTEXITCODE -ne 0 -and (Get-Date) -lt $batas)
if ($LASTEXITCODE -ne 0) {
  throw "Layanan belum hidup; lihat $FolderKerja\arsip\log\kinerja.log dan jalankan-kinerja.txt."
}
Write-Host "Selesai. Bagikan $FolderKerja ke pegawai (lihat deploy\README.md, bagian Windows)."
