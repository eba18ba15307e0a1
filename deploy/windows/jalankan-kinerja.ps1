<#
.SYNOPSIS
  Menjalankan layanan kinerja (kinerja watch) dan memulainya ulang bila berhenti karena kesalahan.

.DESCRIPTION
  Dipanggil oleh tugas "kinerja" di Penjadwal Tugas (kinerja-task.xml). Penjadwal Tugas hanya
  mengulang tugas yang gagal dimulai; skrip ini menangani sisanya, seperti Restart=on-failure
  pada systemd: kode keluar 0 (dihentikan dengan rapi) mengakhiri skrip, kode lain menunggu
  10 detik lalu menjalankan kinerja lagi. Log layanan ditulis ke arsip\log\kinerja.log dan
  dirotasi oleh kinerja sendiri (5 berkas x 5 MB).
#>
param(
  [Parameter(Mandatory = $true)] [string] $FolderKerja,
  [Parameter(Mandatory = $true)] [string] $FolderPasang,
  [double] $Polling = 0
)

$ErrorActionPreference = "Stop"
$kinerja = Join-Path $FolderPasang "venv\Scripts\kinerja.exe"
$logFolder = Join-Path $FolderKerja "arsip\log"
New-Item -ItemType Directory -Force -Path $logFolder | Out-Null
$logFile = Join-Path $logFolder "kinerja.log"
$catatan = Join-Path $logFolder "jalankan-kinerja.txt"

function Tulis([string] $pesan) {
  $waktu = Get-Date -Format "yyyy-MM-dd HH:mm:ss"
  Add-Content -Path $catatan -Value "$waktu $pesan" -Encoding UTF8
}

$argumen = @("watch", "--root", $FolderKerja, "--log-file", $logFile)
if ($Polling -gt 0) { $argumen += @("--polling", "$Polling") }

while ($true) {
  Tulis "Menjalankan: $kinerja $($argumen -join ' ')"
  & $kinerja @argumen
  $kode = $LASTEXITCODE
  if ($kode -eq 0) {
    Tulis "kinerja berhenti dengan rapi (kode 0)."
    break
  }
  Tulis "kinerja berhenti dengan kode $kode; dimulai ulang dalam 10 detik."
  Start-Sleep -Seconds 10
}
